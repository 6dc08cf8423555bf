/*
 * finance: what the financial-intelligence module offers the rest of rastro
 * (its workspace schema component).  The detectors themselves are reached
 * through the public API (rastro_detect, rastro_alerts, rastro_sar,
 * rastro_eval); fin.h is the module's private interface.
 */
#ifndef RASTRO_FINANCE_H
#define RASTRO_FINANCE_H

#include "store/schema.h"

/* Tables: fin_risk (per-account risk score as a sum of named parts). */
extern const struct schema_component fin_schema_component;

#endif
