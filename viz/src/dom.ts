// DOM helpers that only ever create text nodes for strings: scenario and trace
// strings are shown as text, never parsed as HTML.

type Child = Node | string | number | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    node.setAttribute(k, v === true ? '' : String(v));
  }
  append(node, children);
  return node;
}

export function append(node: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    node.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
  }
}

/** Replaces the node's children. */
export function fill(node: Node, ...children: Child[]): void {
  while (node.firstChild) node.removeChild(node.firstChild);
  append(node, children);
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`#${id} missing from index.html`);
  return node as T;
}

/** Simulated nanoseconds as the journey prints them: ns, µs, ms or s. */
export function formatNs(t: number): string {
  if (t < 1_000) return `${t} ns`;
  if (t < 1_000_000) return `${(t / 1_000).toFixed(3)} µs`;
  if (t < 1_000_000_000) return `${(t / 1_000_000).toFixed(3)} ms`;
  return `${(t / 1_000_000_000).toFixed(6)} s`;
}
