"use client";

import { useEffect, useRef, type RefObject } from "react";

/**
 * A ref that always holds the value of the last committed render. For callbacks that run long after the render
 * that created them (a stream event, an action's answer, a toast's button): they must act on today's props, not on
 * the ones they closed over.
 */
export function useLatest<T>(value: T): RefObject<T> {
  const ref = useRef(value);
  useEffect(() => {
    ref.current = value;
  });
  return ref;
}
