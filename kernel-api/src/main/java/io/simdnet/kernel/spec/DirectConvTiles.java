package io.simdnet.kernel.spec;

/**
 * Register tiles a {@link Conv2dAlgorithm#DIRECT} convolution is asked to use instead of those the code
 * generator's cost model ({@code DirectConvTiling}) picks: what the autotuner varies. Each must fit the target's
 * vector registers (the generator's {@code Conv2dAlgorithmPlan} checks); the 3/4 budget of the cost model does not
 * apply, since measurement decides.
 *
 * <p>String form, the value of {@code tiles=} in a spec key: {@code 8x2/4x3/4x3} = forward channels × position
 * vectors / backward-data channels × vectors / backward-weights channels × taps.
 */
public record DirectConvTiles(int forwardBlock, int forwardVectors, int dataBlock, int dataVectors, int weightsBlock, int weightsTaps) {

    public DirectConvTiles {
        if (forwardBlock < 1 || forwardVectors < 1 || dataBlock < 1 || dataVectors < 1 || weightsBlock < 1 || weightsTaps < 1) {
            throw new IllegalArgumentException("direct convolution tiles: every size must be positive, got " + token());
        }
    }

    public String token() {
        return forwardBlock + "x" + forwardVectors + "/" + dataBlock + "x" + dataVectors + "/" + weightsBlock + "x" + weightsTaps;
    }

    /** Reads {@link #token()}. */
    public static DirectConvTiles parse(String token) {
        String[] passes = token.split("/");
        if (passes.length == 3) {
            try {
                int[] v = new int[6];
                for (int i = 0; i < 3; i++) {
                    String[] pair = passes[i].split("x");
                    if (pair.length != 2) {
                        throw new NumberFormatException(passes[i]);
                    }
                    v[2 * i] = Integer.parseInt(pair[0]);
                    v[2 * i + 1] = Integer.parseInt(pair[1]);
                }
                return new DirectConvTiles(v[0], v[1], v[2], v[3], v[4], v[5]);
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw new IllegalArgumentException("direct convolution tiles '" + token + "': expected forward/backward-data/backward-weights tiles"
                + " such as 8x2/4x3/4x3");
    }

    /** Class-name form: {@code T8x2_4x3_4x3}. */
    String classNamePart() {
        return "T" + token().replace('/', '_');
    }
}
