/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: the exported table entry of each dissector file. */
#ifndef OT_REGISTRY_PRIVATE_H
#define OT_REGISTRY_PRIVATE_H

#include "dissectors.h"

extern const struct ot_dissector modbus_dissector;
extern const struct ot_dissector dnp3_dissector;
extern const struct ot_dissector iec104_dissector;
extern const struct ot_dissector s7comm_dissector;
extern const struct ot_dissector opcua_dissector;
extern const struct ot_dissector mqtt_dissector;
extern const struct ot_dissector pndcp_dissector;
extern const struct ot_dissector goose_dissector;
extern const struct ot_dissector mms_dissector;
extern const struct ot_dissector enip_dissector;
extern const struct ot_dissector bacnet_dissector;

#endif
