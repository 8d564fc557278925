import type { ReactNode } from 'react';

export interface Choice<T extends string> {
  value: T;
  label: ReactNode;
}

/** One multi-choice filter (messengers, operators, statuses): choices inside it combine with OR. */
export function ChoiceGroup<T extends string>(props: { legend: string; choices: Choice<T>[]; selected: readonly T[]; onToggle(value: T): void }) {
  return (
    <fieldset className="choice-group">
      <legend>{props.legend}</legend>
      {props.choices.map((choice) => (
        <label key={choice.value} className="choice">
          <input type="checkbox" checked={props.selected.includes(choice.value)} onChange={() => props.onToggle(choice.value)} />
          {choice.label}
        </label>
      ))}
    </fieldset>
  );
}
