/** A simple decorative mark (red field, gold star); not the national emblem. */
export function Emblem() {
  return (
    <svg className="emblem" viewBox="0 0 40 40" width="40" height="40" aria-hidden="true" focusable="false">
      <rect width="40" height="40" rx="8" fill="#c8102e" />
      <path
        fill="#ffcd00"
        d="M20 7.5l3.09 9.51h10l-8.09 5.88 3.09 9.51L20 26.52l-8.09 5.88 3.09-9.51-8.09-5.88h10z"
      />
    </svg>
  );
}
