/*
 * network: the network module's face to the rest of rastro (the schema
 * component, and what the report and the run command call besides the
 * public API).
 */
#ifndef RASTRO_NETWORK_H
#define RASTRO_NETWORK_H

#include "store/schema.h"

extern const struct schema_component net_schema_component;

#endif
