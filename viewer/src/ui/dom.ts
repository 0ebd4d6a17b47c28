/**
 * Building elements without HTML strings: every text (file names, telemetry, report messages)
 * goes in through textContent, never innerHTML, so nothing from a log or report is ever markup.
 */
export interface ElProps {
  text?: string;
  className?: string;
  title?: string;
  type?: string;
  value?: string;
  placeholder?: string;
  disabled?: boolean;
  href?: string;
  dataset?: Record<string, string>;
  style?: Partial<Record<'background' | 'width' | 'display', string>>;
  onclick?: (e: MouseEvent) => void;
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: ElProps = {}, children: (Node | string)[] = []): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (props.text !== undefined) e.textContent = props.text;
  if (props.className) e.className = props.className;
  if (props.title) e.title = props.title;
  if (props.disabled) (e as unknown as HTMLButtonElement).disabled = true;
  if (props.type !== undefined) (e as unknown as HTMLInputElement).type = props.type;
  if (props.value !== undefined) (e as unknown as HTMLInputElement).value = props.value;
  if (props.placeholder !== undefined) (e as unknown as HTMLInputElement).placeholder = props.placeholder;
  if (props.href !== undefined) (e as unknown as HTMLAnchorElement).href = props.href;
  if (props.dataset) for (const [k, v] of Object.entries(props.dataset)) e.dataset[k] = v;
  if (props.style) for (const [k, v] of Object.entries(props.style)) e.style.setProperty(k, v);
  if (props.onclick) e.addEventListener('click', props.onclick as EventListener);
  for (const c of children) e.append(c);
  return e;
}
