// pktpath's iptables: load an iptables-save dump, walk packets through the
// tables at the kernel's hook priorities, and print what iptables-save and
// iptables -L print. See README.md beside this file for what is modelled.

export { parseIptablesSave, iptablesRestore, formatRuleError, type RuleError, type RestoreResult, type RestoreOptions } from './restore.js';
export { Ruleset, Table, Chain, TABLE_NAMES, BUILTIN_CHAINS, type TableName } from './ruleset.js';
export { Rule } from './rule.js';
export { installRuleset, IptTableHook, type InstalledRuleset } from './ip_tables.js';
export { iptablesSave, ruleSpecText, ctimeText, IPTABLES_VERSION, type SaveOptions } from './save.js';
export { listTable, listRulesSpec, type ListFormat } from './list.js';
export { nfLogIpPacket } from './nf_log.js';
export type { RuleHostWithRouteMtu } from './targets/tcpmss.js';
