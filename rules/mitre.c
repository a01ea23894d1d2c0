/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: ATT&CK for ICS techniques and their tactics, so a rule names the
 * technique and the alert carries both. */
/* specification: MITRE ATT&CK for ICS, matrix v14 (attack.mitre.org/matrices/ics) */
#include <string.h>

#include "rules.h"

#define IA "Initial Access"
#define EX "Execution"
#define PE "Persistence"
#define PR "Privilege Escalation"
#define EV "Evasion"
#define DI "Discovery"
#define LM "Lateral Movement"
#define CO "Collection"
#define C2 "Command and Control"
#define IR "Inhibit Response Function"
#define IP "Impair Process Control"
#define IM "Impact"

static const struct {
    const char *id;
    const char *tactic[3];
} techniques[] = {
    {"T0800", {IR}},     {"T0801", {CO}},     {"T0802", {CO}},     {"T0803", {IR}},
    {"T0804", {IR}},     {"T0805", {IR}},     {"T0806", {IP}},     {"T0807", {EX}},
    {"T0809", {IR}},     {"T0811", {CO}},     {"T0812", {LM}},     {"T0813", {IM}},
    {"T0814", {IR}},     {"T0815", {IM}},     {"T0816", {IR}},     {"T0817", {IA}},
    {"T0819", {IA}},     {"T0820", {EV}},     {"T0821", {EX}},     {"T0822", {IA}},
    {"T0823", {EX}},     {"T0826", {IM}},     {"T0827", {IM}},     {"T0828", {IM}},
    {"T0829", {IM}},     {"T0830", {CO}},     {"T0831", {IM}},     {"T0832", {IM}},
    {"T0834", {EX}},     {"T0835", {IR}},     {"T0836", {IP}},     {"T0837", {IM}},
    {"T0838", {IR}},     {"T0839", {PE, IP}}, {"T0840", {DI}},     {"T0842", {DI}},
    {"T0843", {LM}},     {"T0845", {CO}},     {"T0846", {DI}},     {"T0847", {IA}},
    {"T0848", {IA}},     {"T0849", {EV}},     {"T0851", {EV, IR}}, {"T0852", {CO}},
    {"T0853", {EX}},     {"T0855", {IP}},     {"T0856", {EV, IP}}, {"T0857", {PE, IR}},
    {"T0858", {EX, EV}}, {"T0859", {PE, LM}}, {"T0860", {IA}},     {"T0861", {CO}},
    {"T0862", {IA}},     {"T0863", {EX}},     {"T0864", {IA}},     {"T0865", {IA}},
    {"T0866", {IA, LM}}, {"T0867", {LM}},     {"T0868", {CO}},     {"T0869", {C2}},
    {"T0871", {EX}},     {"T0872", {EV}},     {"T0873", {PE}},     {"T0874", {EX, PR}},
    {"T0877", {CO}},     {"T0878", {IR}},     {"T0879", {IM}},     {"T0880", {IM}},
    {"T0881", {IR}},     {"T0882", {IM}},     {"T0883", {IA}},     {"T0884", {C2}},
    {"T0885", {C2}},     {"T0886", {IA, LM}}, {"T0887", {DI, CO}}, {"T0888", {DI}},
    {"T0889", {PE}},     {"T0890", {PR}},     {"T0891", {LM, PE}}, {"T0892", {IR}},
    {"T0893", {CO}},     {"T0894", {EV}},     {"T0895", {EX}},
};

int mitre_ics_tactics(const char *technique, const char **out, int max)
{
    for (size_t i = 0; i < sizeof(techniques) / sizeof(techniques[0]); i++) {
        if (strcmp(techniques[i].id, technique) != 0)
            continue;
        int n = 0;
        for (int k = 0; k < 3 && techniques[i].tactic[k] && n < max; k++)
            out[n++] = techniques[i].tactic[k];
        return n;
    }
    return 0;
}
