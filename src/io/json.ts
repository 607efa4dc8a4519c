/** JSON that keeps typed arrays and non-finite numbers (NaN = missing throughout the project). */

/** JSON text of `value` with typed arrays tagged `{"$typed": "Float64Array", "values": [...]}` and NaN/±Infinity as `{"$num": "NaN"}`. */
export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(
    value,
    (_key, v: unknown) => {
      if (typeof v === 'number' && !Number.isFinite(v)) return { $num: String(v) };
      if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
        return { $typed: v.constructor.name, values: Array.from(v as unknown as ArrayLike<number>) };
      }
      return v;
    },
    indent,
  );
}

const TYPED: Record<string, new (values: number[]) => ArrayBufferView> = {
  Float64Array,
  Float32Array,
  Int32Array,
  Int16Array,
  Int8Array,
  Uint32Array,
  Uint16Array,
  Uint8Array,
};

/** Inverse of `toJson`. */
export function fromJson(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as { $num?: string; $typed?: string; values?: number[] };
      if (typeof o.$num === 'string' && Object.keys(o).length === 1) return Number(o.$num);
      if (typeof o.$typed === 'string' && TYPED[o.$typed] && Array.isArray(o.values)) return new TYPED[o.$typed](o.values);
    }
    return v;
  });
}
