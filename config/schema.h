/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vbr's YAML schema: the sections, their keys, their defaults and the
 * product's rules between values.
 */
#pragma once

#include <yaml.h>

#include "config.h"
#include "walk.h"

/* Clear cfg and set every default that does not depend on other values. */
void schema_defaults(struct vbr_config *cfg);

/* Parse and check a document's root into w->cfg (set to its defaults). */
int schema_walk(struct walk *w, const yaml_node_t *root);
