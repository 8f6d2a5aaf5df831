package io.simdnet.engine.layer;

/**
 * How a convolution pads: {@code valid} (none), {@code same} (Keras: output = ceil(input / stride), an odd total
 * puts the extra row and column at the bottom and right) or an explicit symmetric amount, PyTorch style.
 */
public record Padding(Kind kind, int amount) {

    public enum Kind {
        VALID,
        SAME,
        EXPLICIT
    }

    public Padding {
        if (amount < 0) {
            throw new IllegalArgumentException("Padding: amount = " + amount + ", expected >= 0");
        }
    }

    public static Padding valid() {
        return new Padding(Kind.VALID, 0);
    }

    public static Padding same() {
        return new Padding(Kind.SAME, 0);
    }

    public static Padding of(int amount) {
        return new Padding(Kind.EXPLICIT, amount);
    }
}
