import { forwardRef, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from 'react';

interface CommonProps {
  id: string;
  label: string;
  hint?: string;
  /** Message shown under the field (also marks it invalid). */
  error?: string | null;
  /** Mark the field invalid when the message is shown elsewhere (e.g. a form alert). */
  invalid?: boolean;
  /** id of an element that describes the error when it is not under the field. */
  errorRef?: string;
}

function describedBy(p: CommonProps): string | undefined {
  const ids = [p.hint ? `${p.id}-hint` : '', p.error ? `${p.id}-error` : '', p.invalid && p.errorRef ? p.errorRef : ''];
  const s = ids.filter(Boolean).join(' ');
  return s || undefined;
}

function Wrapper({ id, label, hint, error, invalid, children }: CommonProps & { children: ReactNode }) {
  return (
    <div className={error || invalid ? 'field field--invalid' : 'field'}>
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      {children}
      {hint && (
        <p className="field__hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field__error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

type InputProps = CommonProps & Omit<InputHTMLAttributes<HTMLInputElement>, 'id'>;

export const TextField = forwardRef<HTMLInputElement, InputProps>(function TextField(
  { id, label, hint, error, invalid, errorRef, ...rest },
  ref,
) {
  const common = { id, label, hint, error, invalid, errorRef };
  return (
    <Wrapper {...common}>
      <input
        ref={ref}
        id={id}
        className="input"
        aria-invalid={error || invalid ? true : undefined}
        aria-describedby={describedBy(common)}
        {...rest}
      />
    </Wrapper>
  );
});

type SelectProps = CommonProps & Omit<SelectHTMLAttributes<HTMLSelectElement>, 'id'>;

export const SelectField = forwardRef<HTMLSelectElement, SelectProps>(function SelectField(
  { id, label, hint, error, invalid, errorRef, children, ...rest },
  ref,
) {
  const common = { id, label, hint, error, invalid, errorRef };
  return (
    <Wrapper {...common}>
      <select
        ref={ref}
        id={id}
        className="input"
        aria-invalid={error || invalid ? true : undefined}
        aria-describedby={describedBy(common)}
        {...rest}
      >
        {children}
      </select>
    </Wrapper>
  );
});

type TextAreaProps = CommonProps & Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'id'>;

export const TextAreaField = forwardRef<HTMLTextAreaElement, TextAreaProps>(function TextAreaField(
  { id, label, hint, error, invalid, errorRef, rows, ...rest },
  ref,
) {
  const common = { id, label, hint, error, invalid, errorRef };
  return (
    <Wrapper {...common}>
      <textarea
        ref={ref}
        id={id}
        className="input textarea"
        rows={rows ?? 3}
        aria-invalid={error || invalid ? true : undefined}
        aria-describedby={describedBy(common)}
        {...rest}
      />
    </Wrapper>
  );
});
