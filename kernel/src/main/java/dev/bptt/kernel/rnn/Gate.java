package dev.bptt.kernel.rnn;

/**
 * One gate's block of H rows in a cell's weights and biases (PyTorch's order), for per-gate views
 * such as the LSTM forget-gate bias ({@link StackLayout#biasHh(int, Gate, float[])}).
 */
public enum Gate {
  /** Elman's only block. */
  HIDDEN(CellType.ELMAN, 0),
  /** GRU reset gate r. */
  RESET(CellType.GRU, 0),
  /** GRU update gate z. */
  UPDATE(CellType.GRU, 1),
  /** GRU candidate n. */
  NEW(CellType.GRU, 2),
  /** LSTM input gate i. */
  INPUT(CellType.LSTM, 0),
  /** LSTM forget gate f. */
  FORGET(CellType.LSTM, 1),
  /** LSTM cell candidate g. */
  CELL(CellType.LSTM, 2),
  /** LSTM output gate o. */
  OUTPUT(CellType.LSTM, 3);

  private final CellType cell;
  private final int index;

  Gate(CellType cell, int index) {
    this.cell = cell;
    this.index = index;
  }

  /** The cell this gate belongs to. */
  public CellType cell() {
    return cell;
  }

  /** Position of the gate's H-row block (0-based, PyTorch order). */
  public int index() {
    return index;
  }
}
