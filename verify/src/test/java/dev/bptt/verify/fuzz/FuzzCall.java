package dev.bptt.verify.fuzz;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * One valid call of a public entry point, as a generator builds it from a seed: the receiver (null
 * for static methods and constructors), the arguments, the names the javadoc gives them (a name may
 * list alternatives as {@code "dh0|initial state gradient"}), the arrays reachable from them that
 * the call may read (snapshotted bitwise before the call), the documented outputs (the arrays an
 * accepted call may change), and optional invalid replacements for object arguments.
 */
final class FuzzCall {
  Object receiver;
  final Object[] args;
  String[] names;

  /** Arrays reachable from receiver/arguments that are not themselves arguments, by name. */
  final Map<String, Object> reachable = new LinkedHashMap<>();

  /** Names (argument names or reachable names) of the arrays an accepted call may write. */
  final Set<String> outputs = new HashSet<>();

  /** Invalid replacements (a workspace for another network, …) per argument index. */
  final java.util.List<Map.Entry<Integer, Supplier<Object>>> foreign = new java.util.ArrayList<>();

  /** Argument indices that take no huge positive values (iteration counts, capacities). */
  final Set<Integer> bounded = new HashSet<>();

  /** Argument indices whose null is documented as valid ("null for none"). */
  final Set<Integer> nullable = new HashSet<>();

  /** IllegalStateException is documented for this call (backward before forward, …). */
  boolean stateRejection;

  /**
   * Floats the call would allocate for the (mutated) arguments; mutations giving a count in [2²⁶,
   * 2³¹) are not tried (they are valid and would allocate gigabytes).
   */
  ToLongFunction<Object[]> allocation;

  /**
   * Prepared before an accepted call (sees the arguments as passed), checks after it: returns null
   * when the result is right, else a message. Null: only the generic checks.
   */
  Function<FuzzCall, Function<Object, String>> reference;

  FuzzCall(Object receiver, Object... args) {
    this.receiver = receiver;
    this.args = args;
  }

  static FuzzCall of(Object receiver, Object... args) {
    return new FuzzCall(receiver, args);
  }

  FuzzCall out(String... names) {
    outputs.addAll(java.util.List.of(names));
    return this;
  }

  FuzzCall reach(String name, Object array) {
    if (array != null) {
      reachable.put(name, array);
    }
    return this;
  }

  FuzzCall foreign(int index, Supplier<Object> bad) {
    foreign.add(Map.entry(index, bad));
    return this;
  }

  FuzzCall bounded(int... indices) {
    for (int i : indices) {
      bounded.add(i);
    }
    return this;
  }

  FuzzCall nullable(int... indices) {
    for (int i : indices) {
      nullable.add(i);
    }
    return this;
  }

  FuzzCall ise() {
    stateRejection = true;
    return this;
  }

  FuzzCall alloc(ToLongFunction<Object[]> f) {
    allocation = f;
    return this;
  }

  FuzzCall ref(Function<FuzzCall, Function<Object, String>> f) {
    reference = f;
    return this;
  }

  int intArg(int i) {
    return (Integer) args[i];
  }

  float[] f(int i) {
    return (float[]) args[i];
  }
}
