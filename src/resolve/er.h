/*
 * er: entity resolution — the module's internal interface.
 *
 * Person-like records from every table that bears people (person records,
 * FEBRL rows, KYC account holders, encounters...) are read through one
 * adapter per table (er_source), normalised, blocked, compared field by
 * field, scored with a Fellegi–Sunter model (er_model), clustered into
 * person entities that resist chaining (er_cluster) and written back with
 * their reasons.  Privacy-preserving encodings live in er_pprl.
 */
#ifndef RASTRO_ER_H
#define RASTRO_ER_H

#include <stddef.h>
#include <stdint.h>

#include "ingest/format.h"
#include "store/ws.h"

struct schema_component;
extern const struct schema_component er_component;

/* The person record kind (table `person`), filled by fmt_person and fmt_febrl. */
extern const struct rec_kind rk_person;

#endif
