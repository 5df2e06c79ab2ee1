// The output side of the pipeline: one Renderer per format (text, jsonl, json, fields), all
// built on the same decoded frames and findings, writing through one BufferedWriter.

import type { AnalyzedFrame, Finding } from '../analyze/types.js';
import type { DecodedFrame, FieldValue, Fields } from '../decode/types.js';
import type { OutputFormat, SummaryName } from './options.js';
import { timeOf } from '../kernel/time.js';
import type { Palette } from './color.js';
import { renderFieldsLine } from './fields.js';
import { renderFindingLine, renderFindingsTable, renderFindingUnderFrame } from './findings-text.js';
import { linkHeaderLength, renderHexAsciiDump, renderHexDump } from './hexdump.js';
import { renderEkFinding, renderEkFrame } from './ek.js';
import { findingObject, packetObject, summaryObject, type RunTotals } from './json.js';
import { renderFrameSummary } from './text-line.js';
import { epochTextOf, type EpochText, type TimestampFormatter } from './timestamp.js';
import { renderTree } from './tree.js';
import type { BufferedWriter } from './writer.js';
import { renderCarpMasters } from './carp-summary.js';
import { renderVrrpMasters } from './vrrp-summary.js';
import { renderPfsyncStates } from './pfsync-summary.js';
import { renderPresence } from './presence-summary.js';

export interface Renderer {
  /** A frame to show (with the values the analyzers derived for it), with the findings it raised. */
  frame(frame: AnalyzedFrame, findings: readonly Finding[]): void;
  /** A finding on its own: raised by a timer, at the end of input, or by a frame not shown. */
  finding(f: Finding): void;
  /** End of the run: summaries. */
  end(totals: RunTotals, analyzerSummary: Fields): void;
}

/**
 * Sees every analysed frame with the findings it raised (shown or not, -Y or not), and every
 * finding raised on its own: the metrics of --metrics (output/metrics.ts) are built from these.
 */
export interface PipelineObserver {
  frame(frame: AnalyzedFrame, findings: readonly Finding[]): void;
  finding(f: Finding): void;
}

export interface RenderOptions {
  readonly format: OutputFormat;
  readonly verbose: boolean;
  readonly hex: boolean;
  readonly quiet: boolean;
  readonly fields: readonly string[];
  readonly summaries: readonly SummaryName[];
  readonly palette: Palette;
  readonly timestamps: TimestampFormatter;
  /** -X: hex and ASCII. */
  readonly hexAscii?: boolean;
  /** -xx / -XX: the dump includes the link-layer header (else it starts after it, as tcpdump -x / -X). */
  readonly hexLinkHeader?: boolean;
  /** -z carp,masters,VHID: only these VHIDs. */
  readonly carpMastersVhids?: readonly number[];
}

/** The -z tables, in the order they were asked for. */
export function renderSummaries(names: readonly SummaryName[], totals: RunTotals, summary: Fields, time?: EpochText, carpVhids?: readonly number[]): string {
  let s = '';
  const whole = summaryObject(totals, summary);
  for (const name of names) {
    let table: string;
    if (name === 'carp,masters') {
      const cut = carpVhids ? onlyVhids(whole, carpVhids) : whole;
      const presence = renderPresence(cut);
      table = renderCarpMasters(cut, time) + (presence === '' ? '' : `\n${presence}`);
    }
    else if (name === 'vrrp,masters') table = renderVrrpMasters(whole, time);
    else if (name === 'pfsync,states') table = renderPfsyncStates(whole, time);
    else table = renderFindingsTable(totals.findings);
    if (table === '') continue;
    s += (s === '' ? '' : '\n') + (table.endsWith('\n') ? table : `${table}\n`);
  }
  return s;
}

/** The summary with the carp part cut to some VHIDs (tshark's `-z name,filter`). */
export function onlyVhids(summary: Fields, vhids: readonly number[]): Fields {
  const carp = summary['carp'];
  if (carp === null || typeof carp !== 'object' || Array.isArray(carp)) return summary;
  const c = carp as Fields;
  const keep = (v: FieldValue): boolean => {
    const o = v as Fields | null;
    return o !== null && typeof o === 'object' && typeof o['vhid'] === 'number' && vhids.includes(o['vhid']);
  };
  const cut: Record<string, FieldValue> = { ...c };
  for (const key of ['vhids', 'timeline', 'presence']) {
    const list = c[key];
    if (Array.isArray(list)) cut[key] = (list as readonly FieldValue[]).filter(keep);
  }
  const presence = summary['carp_presence'] as Fields | undefined;
  const senders = presence?.['senders'];
  const out: Record<string, FieldValue> = { ...summary, carp: cut };
  if (Array.isArray(senders)) out['carp_presence'] = { ...presence, senders: (senders as readonly FieldValue[]).filter(keep) };
  return out;
}

/** The capture point prefix of a merged run's text line. */
function pointPrefix(frame: DecodedFrame): string {
  return frame.raw.capturePoint !== undefined ? `[${frame.raw.capturePoint}] ` : '';
}

class TextRenderer implements Renderer {
  constructor(private readonly out: BufferedWriter, private readonly o: RenderOptions) {}

  frame(frame: AnalyzedFrame, findings: readonly Finding[]): void {
    const { palette } = this.o;
    if (this.o.quiet) {
      for (const f of findings) this.finding(f);
      return;
    }
    let s = `${this.o.timestamps.frame(timeOf(frame))} ${pointPrefix(frame)}${renderFrameSummary(frame, palette)}\n`;
    for (const f of findings) s += renderFindingUnderFrame(f, palette);
    if (this.o.verbose) s += `${renderTree(frame).join('\n')}\n`;
    if (this.o.hexAscii || this.o.hex) {
      const bytes = this.o.hexLinkHeader ? frame.raw.data : frame.raw.data.subarray(linkHeaderLength(frame));
      s += this.o.hexAscii ? renderHexAsciiDump(bytes) : renderHexDump(bytes);
    }
    this.out.write(s);
  }

  finding(f: Finding): void {
    this.out.write(renderFindingLine(f, this.o.timestamps.format(f.ts), this.o.palette));
  }

  end(totals: RunTotals, summary: Fields): void {
    const s = renderSummaries(this.o.summaries, totals, summary, epochTextOf(this.o.timestamps), this.o.carpMastersVhids);
    if (s !== '') this.out.write((totals.shown > 0 && !this.o.quiet ? '\n' : '') + s);
  }
}

class JsonlRenderer implements Renderer {
  constructor(private readonly out: BufferedWriter, private readonly o: RenderOptions) {}

  frame(frame: AnalyzedFrame, findings: readonly Finding[]): void {
    let s = this.o.quiet ? '' : `${JSON.stringify(packetObject(frame, findings))}\n`;
    for (const f of findings) s += `${JSON.stringify(findingObject(f))}\n`;
    this.out.write(s);
  }

  finding(f: Finding): void {
    this.out.write(`${JSON.stringify(findingObject(f))}\n`);
  }

  end(totals: RunTotals, summary: Fields): void {
    this.out.write(`${JSON.stringify(summaryObject(totals, summary))}\n`);
  }
}

/**
 * -T json: one array holding the objects jsonl writes, in the same order (packets, findings,
 * the summary last), pretty-printed. tshark's -T json is an array of packets keyed
 * `_source.layers`; carpdump keeps the packet objects of its own format (a documented deviation).
 */
class JsonRenderer implements Renderer {
  private count = 0;
  constructor(private readonly out: BufferedWriter, private readonly o: RenderOptions) {}

  private element(o: Fields): void {
    const body = JSON.stringify(o, null, 2).replace(/\n/g, '\n  ');
    this.out.write(`${this.count === 0 ? '[\n  ' : ',\n  '}${body}`);
    this.count++;
  }

  frame(frame: AnalyzedFrame, findings: readonly Finding[]): void {
    if (!this.o.quiet) this.element(packetObject(frame, findings) as unknown as Fields);
    for (const f of findings) this.element(findingObject(f));
  }

  finding(f: Finding): void {
    this.element(findingObject(f));
  }

  end(totals: RunTotals, summary: Fields): void {
    this.element(summaryObject(totals, summary));
    this.out.write('\n]\n');
  }
}

/** -T ek: see ek.ts. */
class EkRenderer implements Renderer {
  constructor(private readonly out: BufferedWriter, private readonly o: RenderOptions) {}

  frame(frame: AnalyzedFrame, findings: readonly Finding[]): void {
    if (!this.o.quiet) this.out.write(renderEkFrame(frame, findings, frame.raw.capturePoint));
    else for (const f of findings) this.finding(f);
  }

  finding(f: Finding): void {
    this.out.write(renderEkFinding(f));
  }

  end(): void {
    // The bulk format has documents only; the summary is in -T json / jsonl.
  }
}

class FieldsRenderer implements Renderer {
  constructor(private readonly out: BufferedWriter, private readonly o: RenderOptions) {}

  frame(frame: AnalyzedFrame): void {
    if (!this.o.quiet) this.out.write(renderFieldsLine(frame, this.o.fields));
  }

  finding(): void {
    // Columns only: findings would break the table.
  }

  end(totals: RunTotals, summary: Fields): void {
    const s = renderSummaries(this.o.summaries, totals, summary, epochTextOf(this.o.timestamps));
    if (s !== '') this.out.write(s);
  }
}

export function createRenderer(out: BufferedWriter, options: RenderOptions): Renderer {
  switch (options.format) {
    case 'text': return new TextRenderer(out, options);
    case 'jsonl': return new JsonlRenderer(out, options);
    case 'json': return new JsonRenderer(out, options);
    case 'ek': return new EkRenderer(out, options);
    case 'fields': return new FieldsRenderer(out, options);
  }
}
