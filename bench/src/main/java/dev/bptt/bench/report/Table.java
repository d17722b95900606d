package dev.bptt.bench.report;

import java.util.ArrayList;
import java.util.List;

/**
 * A rectangular table of already formatted cells, written as a GitHub markdown table or as CSV.
 *
 * @param header column names
 * @param rows cells, each row as long as the header
 * @param labelColumns how many leading columns are labels (left-aligned in markdown); the rest hold
 *     numbers and are right-aligned
 */
public record Table(List<String> header, List<List<String>> rows, int labelColumns) {
  public Table {
    header = List.copyOf(header);
    List<List<String>> copy = new ArrayList<>();
    for (List<String> r : rows) {
      if (r.size() != header.size()) {
        throw new IllegalArgumentException(
            "row has " + r.size() + " cells, header has " + header.size() + ": " + r);
      }
      copy.add(List.copyOf(r));
    }
    rows = List.copyOf(copy);
  }

  /** A table with no rows yet, to fill with {@link #withRow}. */
  public static Table empty(List<String> header, int labelColumns) {
    return new Table(header, List.of(), labelColumns);
  }

  /** This table with the rows of {@code other} (same header) appended. */
  public Table append(Table other) {
    if (!other.header.equals(header)) {
      throw new IllegalArgumentException("headers differ: " + header + " vs " + other.header);
    }
    List<List<String>> all = new ArrayList<>(rows);
    all.addAll(other.rows);
    return new Table(header, all, labelColumns);
  }

  /** GitHub-flavoured markdown; '|' inside cells is escaped. */
  public String toMarkdown() {
    StringBuilder sb = new StringBuilder();
    line(sb, header);
    sb.append('|');
    for (int c = 0; c < header.size(); c++) {
      sb.append(c < labelColumns ? "---|" : "---:|");
    }
    sb.append('\n');
    rows.forEach(r -> line(sb, r));
    return sb.toString();
  }

  /** RFC 4180 CSV with a header line; cells with a comma, quote or line break are quoted. */
  public String toCsv() {
    StringBuilder sb = new StringBuilder();
    csvLine(sb, header);
    rows.forEach(r -> csvLine(sb, r));
    return sb.toString();
  }

  private static void line(StringBuilder sb, List<String> cells) {
    sb.append('|');
    for (String c : cells) {
      sb.append(' ').append(c.replace("|", "\\|")).append(" |");
    }
    sb.append('\n');
  }

  private static void csvLine(StringBuilder sb, List<String> cells) {
    for (int i = 0; i < cells.size(); i++) {
      String c = cells.get(i);
      if (i > 0) {
        sb.append(',');
      }
      if (c.contains(",") || c.contains("\"") || c.contains("\n")) {
        sb.append('"').append(c.replace("\"", "\"\"")).append('"');
      } else {
        sb.append(c);
      }
    }
    sb.append('\n');
  }
}
