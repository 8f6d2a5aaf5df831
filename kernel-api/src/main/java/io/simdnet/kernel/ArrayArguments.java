package io.simdnet.kernel;

/**
 * The array check the layer kernels share. It returns what is wrong rather than throwing, so callers build
 * their layer description only on failure: checks run on every call and must not allocate.
 */
final class ArrayArguments {

    private ArrayArguments() {
    }

    /** What is wrong with {@code array} (a primitive array) as operand {@code name}, or null when it is long enough. */
    static String lengthProblem(String name, Object array, long needed) {
        if (array == null) {
            return name + " is null";
        }
        int length = java.lang.reflect.Array.getLength(array);
        return length < needed ? name + " has " + length + " elements, expected at least " + needed : null;
    }
}
