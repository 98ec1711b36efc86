// The slice of the browser's DOM the viewer uses, typed here because the project compiles for
// Node (lib ES2023, no "dom"): pulling the DOM library in for four files would put `document`
// and `window` in scope for every file of the rig. Each viewer file declares `document` and
// `window` with these types for itself; at run time they are the browser's own.

export interface ClassList {
  add(...names: string[]): void;
  remove(...names: string[]): void;
  toggle(name: string, force?: boolean): boolean;
  contains(name: string): boolean;
}

export type Child = El | string;

/** An HTML or SVG element, with the properties the viewer touches (some only exist on some tags). */
export interface El {
  textContent: string | null;
  className: string;
  readonly classList: ClassList;
  id: string;
  hidden: boolean;
  title: string;
  tabIndex: number;
  /** <input>, <select>, <option> */
  value: string;
  /** <input type=checkbox> */
  checked: boolean;
  /** <button>, <input>, <select> */
  disabled: boolean;
  /** <a> */
  href: string;
  /** <td> */
  colSpan: number;
  readonly dataset: Record<string, string | undefined>;
  readonly parentNode: El | null;
  readonly nextSibling: El | null;
  append(...nodes: Child[]): void;
  replaceChildren(...nodes: Child[]): void;
  after(...nodes: Child[]): void;
  remove(): void;
  setAttribute(name: string, value: string): void;
  getAttribute(name: string): string | null;
  addEventListener(type: string, listener: (ev: ViewerEvent) => void): void;
  querySelector(selector: string): El | null;
  closest(selector: string): El | null;
  focus(): void;
  scrollIntoView(options?: { block?: 'start' | 'center' | 'end' | 'nearest' }): void;
}

export interface ViewerEvent {
  readonly target: El | null;
  readonly key?: string;
  readonly altKey?: boolean;
  readonly ctrlKey?: boolean;
  readonly metaKey?: boolean;
  preventDefault(): void;
}

export interface ViewerDocument {
  getElementById(id: string): El | null;
  createElement(tag: string): El;
  createElementNS(namespace: string, tag: string): El;
  readonly documentElement: El;
  readonly activeElement: El | null;
  title: string;
  addEventListener(type: string, listener: (ev: ViewerEvent) => void): void;
}

export interface ViewerWindow {
  readonly location: { hash: string };
  readonly history: { replaceState(data: null, unused: string, url: string): void };
  addEventListener(type: string, listener: (ev: ViewerEvent) => void): void;
  setTimeout(fn: () => void, ms: number): number;
  clearTimeout(id: number): void;
}

/** The element helpers every part of the viewer gets from domKit(). */
export interface Kit {
  /** an HTML element with a class (or '') and children; strings become text nodes, never markup */
  h(tag: string, cls?: string, ...children: (Child | null | undefined | false)[]): El;
  /** an SVG element with attributes */
  svg(tag: string, attrs: Record<string, string | number>, ...children: (Child | null | undefined | false)[]): El;
}
