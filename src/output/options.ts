// The option types of the output side, owned by the layer that uses them: options.ts (the argv
// parser, above) and monitor-options.ts validate argv against these lists and import the types
// from here, so output/ never imports the parser.

export const FORMATS = ['text', 'jsonl', 'json', 'fields', 'ek'] as const;
export type OutputFormat = (typeof FORMATS)[number];
export const TIMESTAMP_STYLES = ['a', 'ad', 'r', 'd', 'e'] as const;
export type TimestampStyle = (typeof TIMESTAMP_STYLES)[number];
export const COLOR_MODES = ['auto', 'always', 'never'] as const;
export type ColorMode = (typeof COLOR_MODES)[number];
export const SUMMARIES = ['carp,masters', 'pfsync,states', 'findings', 'vrrp,masters'] as const;
export type SummaryName = (typeof SUMMARIES)[number];

/** Where --metrics listens. */
export interface MetricsAddress {
  /** 127.0.0.1 unless given; "::" or "0.0.0.0" listen on all. */
  readonly host: string;
  /** 0 = any free port (carpdump prints the one it got). */
  readonly port: number;
}

/** --expect-master VHID:ADDR: under --check, CRITICAL when another source is master. */
export interface ExpectMaster {
  readonly vhid: number;
  readonly address: string;
}
