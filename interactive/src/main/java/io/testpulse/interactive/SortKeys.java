package io.testpulse.interactive;

import java.util.Comparator;
import java.util.List;

/** Orders sort keys (lists of String, Number, Boolean or null) element by element; nulls last. */
final class SortKeys {

  private SortKeys() {
  }

  static Comparator<List<Object>> comparator(boolean[] descending) {
    return (a, b) -> compare(a, b, descending);
  }

  static int compare(List<Object> a, List<Object> b, boolean[] descending) {
    int n = Math.min(a.size(), b.size());
    for (int i = 0; i < n; i++) {
      int c = compareValues(a.get(i), b.get(i), i < descending.length && descending[i]);
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.size(), b.size());
  }

  private static int compareValues(Object x, Object y, boolean descending) {
    if (x == null || y == null) {
      return x == null ? (y == null ? 0 : 1) : -1;
    }
    int c;
    if (x instanceof Number nx && y instanceof Number ny) {
      c = isIntegral(nx) && isIntegral(ny) ? Long.compare(nx.longValue(), ny.longValue())
          : Double.compare(nx.doubleValue(), ny.doubleValue());
    } else {
      c = x.toString().compareTo(y.toString());
    }
    return descending ? -c : c;
  }

  private static boolean isIntegral(Number n) {
    return n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte;
  }
}
