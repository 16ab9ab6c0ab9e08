import { useLayoutEffect, useState, type RefObject } from 'react';

/**
 * The rendered content width of an element in CSS pixels, kept current with a ResizeObserver; `fallback`
 * until the first measurement (and when rendered outside a browser). Measured before paint, so the
 * first frame already has the right width.
 */
export function useElementWidth(ref: RefObject<HTMLElement | null>, fallback: number): number {
  const [width, setWidth] = useState<number | null>(null);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => {
      const measured = Math.floor(element.clientWidth - padding(element));
      if (measured > 0) setWidth(measured);
    };
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return width ?? fallback;
}

/** Horizontal padding, which clientWidth includes but the content box does not. */
function padding(element: HTMLElement): number {
  const style = getComputedStyle(element);
  return (parseFloat(style.paddingLeft) || 0) + (parseFloat(style.paddingRight) || 0);
}
