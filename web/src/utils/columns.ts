/**
 * A page's table is described by data (in its data.ts) and rendered by components/DataTable.vue:
 * `prop` reads the row, `formatter` turns the value into text, `slot` hands the cell to the page.
 */
export interface Column<Row> {
  prop: keyof Row & string;
  label: string;
  width?: number;
  minWidth?: number;
  align?: 'left' | 'center' | 'right';
  formatter?: (row: Row) => string;
  /** One line, cut with an ellipsis; the full text in a tooltip (ids, long reasons). */
  ellipsis?: boolean;
  /** The page renders the cell in a `#cell-<prop>` slot (tags, links, buttons). */
  slot?: boolean;
}
