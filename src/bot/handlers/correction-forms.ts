// The 设定纠错事项 form's values, read at the edge: one 纠错事项 per line, the date picker's date.
import { ITEMS_SHOWN_MAX, NO_UNIT, type OrderFormValues } from '../../../cards/correction';
import type { CorrectionItem, CorrectionOrderInput, Policy } from '../../cases/types';
import { textOf } from '../shared/form-values';

/** `2026-11-20 +0800` (the date picker) or a bare date. */
export function pickedDate(v: unknown): string {
  return (
    textOf(v)
      .trim()
      .match(/^\d{4}-\d{2}-\d{2}/)?.[0] ?? ''
  );
}

export function parseOrderForm(form: Record<string, unknown>, policy: Policy): OrderFormValues {
  const unit = textOf(form.unit);
  return {
    reason: textOf(form.reason),
    requirements: textOf(form.requirements),
    suggestions: textOf(form.suggestions),
    responsible: textOf(form.responsible).trim(),
    unitId: policy.units.some((u) => u.id === unit) && unit !== NO_UNIT ? unit : null,
    deadline: pickedDate(form.deadline),
    improveRules: textOf(form.improve),
  };
}

/** Lines as typed, without list numbering people add by habit (1. 2、 （一） ①). */
export function itemLines(field: string): string[] {
  return field
    .split(/\r?\n/)
    .map((l) =>
      l
        .trim()
        .replace(/^(?:\d{1,2}[.、．)）]|[（(][一二三四五六七八九十\d]{1,3}[)）]|[①-⑳]|[-*•·])\s*/u, '')
        .trim(),
    )
    .filter((l) => l !== '');
}

export function orderItems(values: OrderFormValues): CorrectionItem[] {
  return [
    ...itemLines(values.requirements).map((t) => ({ kind: 'requirement' as const, text: t })),
    ...itemLines(values.suggestions).map((t) => ({ kind: 'suggestion' as const, text: t })),
  ];
}

/** The core's command input, or what is missing in words (the core checks the rest). */
export function toOrderInput(values: OrderFormValues): CorrectionOrderInput | string {
  const items = orderItems(values);
  if (items.length > ITEMS_SHOWN_MAX)
    return `「纠错事项」最多 ${ITEMS_SHOWN_MAX} 项，现在有 ${items.length} 项，请合并相近的事项。`;
  if (values.responsible === '') return '请选择「整改责任人」。';
  if (values.deadline === '') return '请选择「整改期限」。';
  return {
    reason: values.reason,
    items,
    responsible: { openId: values.responsible, unitId: values.unitId },
    deadline: values.deadline,
    improveRules: values.improveRules,
  };
}
