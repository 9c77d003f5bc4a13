// A line writer for rendered artifacts: collects lines and the provenance of the ones that have one,
// numbering them as the artifact will (1-based), so `Artifact.provenance` can never drift from the text.
import type { Artifact, Provenance } from '../artifacts.ts';

export class LineWriter {
  private readonly lines: string[] = [];
  private readonly prov = new Map<number, Provenance>();

  line(text: string, provenance?: Provenance): this {
    this.lines.push(text);
    if (provenance) this.prov.set(this.lines.length, provenance);
    return this;
  }

  artifact(path: string): Artifact {
    return { path, text: this.lines.length ? `${this.lines.join('\n')}\n` : '', provenance: new Map(this.prov) };
  }
}
