/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: the table of dissectors; adding a protocol adds one line here. */
#include <string.h>

#include "dissectors.h"
#include "registry-private.h"

const struct ot_dissector *const ot_dissectors[] = {
    &modbus_dissector,
    &dnp3_dissector,
    &iec104_dissector,
    &s7comm_dissector,
    &opcua_dissector,
    &mqtt_dissector,
    &pndcp_dissector,
    &goose_dissector,
    &mms_dissector,
    &enip_dissector,
    &bacnet_dissector,
    NULL,
};

const struct ot_dissector *ot_dissector_by_name(const char *name)
{
    for (size_t i = 0; ot_dissectors[i]; i++)
        if (strcmp(ot_dissectors[i]->name, name) == 0)
            return ot_dissectors[i];
    return NULL;
}

const struct ot_dissector *ot_dissector_by_proto(enum ot_proto proto)
{
    for (size_t i = 0; ot_dissectors[i]; i++)
        if (ot_dissectors[i]->proto == proto)
            return ot_dissectors[i];
    return NULL;
}

size_t ot_dissector_count(void)
{
    size_t n = 0;
    while (ot_dissectors[n])
        n++;
    return n;
}
