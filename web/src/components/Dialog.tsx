import { useEffect, useId, useRef, type ReactNode } from 'react';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * A modal dialog: labelled, traps Tab inside, gives focus back to where it came from, and closes on
 * Escape, a backdrop click or its × — unless `dismissible` is false (e.g. until a secret shown once
 * has been confirmed as stored), when only its own buttons close it.
 */
export function Dialog(props: { title: string; onClose: () => void; children: ReactNode; wide?: boolean; describedBy?: string; dismissible?: boolean }) {
  const panel = useRef<HTMLDivElement>(null);
  const titleId = useId();
  const { onClose } = props;
  const dismissible = props.dismissible ?? true;

  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    const first = panel.current?.querySelector<HTMLElement>('[data-autofocus]') ?? panel.current?.querySelector<HTMLElement>(FOCUSABLE);
    first?.focus();
    return () => opener?.focus?.();
  }, []);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        if (dismissible) onClose();
        return;
      }
      if (event.key !== 'Tab' || !panel.current) return;
      const items = Array.from(panel.current.querySelectorAll<HTMLElement>(FOCUSABLE)).filter((el) => el.offsetParent !== null);
      if (items.length === 0) return;
      const first = items[0];
      const last = items[items.length - 1];
      const inside = panel.current.contains(document.activeElement);
      if (event.shiftKey && (document.activeElement === first || !inside)) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && (document.activeElement === last || !inside)) {
        event.preventDefault();
        first.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [onClose, dismissible]);

  return (
    <div className="backdrop" onMouseDown={(event) => dismissible && event.target === event.currentTarget && onClose()}>
      <div ref={panel} className={props.wide ? 'dialog wide' : 'dialog'} role="dialog" aria-modal="true" aria-labelledby={titleId} aria-describedby={props.describedBy}>
        <div className="dialog-head">
          <h2 id={titleId}>{props.title}</h2>
          {dismissible && (
            <button type="button" className="icon-button" aria-label="Close" onClick={onClose}>
              ×
            </button>
          )}
        </div>
        {props.children}
      </div>
    </div>
  );
}
