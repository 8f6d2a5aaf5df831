package io.simdnet.engine.data;

import io.simdnet.engine.tensor.Tensor;
import java.util.Arrays;

/**
 * Per-channel standardisation, {@code (x − mean_c) / std_c}, as torchvision's {@code Normalize} with statistics
 * measured on the data. Fit it on the training split only and apply those same statistics to validation and test data:
 * statistics measured on the test set would leak it into training. That is the caller's job; this class cannot tell
 * which split it is given.
 *
 * <p>For images (N, C, H, W), and any tensor of rank 3 or more, the channel is dimension 1; for rank-2 data (N, D)
 * there is one mean and one standard deviation over all values. Statistics are population statistics (divide by N),
 * computed in double.
 */
public final class Standardizer {

    private final double[] mean;
    private final double[] std;

    private Standardizer(double[] mean, double[] std) {
        this.mean = mean;
        this.std = std;
    }

    /** Measures each channel's mean and population standard deviation (two passes, for accuracy). */
    public static Standardizer fit(Tensor images) {
        int channels = channels(images, "fit");
        int plane = images.size() / (images.batch() * channels);
        double[] sum = new double[channels];
        forEachChannelRun(images, channels, plane, (c, from) -> {
            double s = 0;
            for (int i = from; i < from + plane; i++) {
                s += images.get(i);
            }
            sum[c] += s;
        });
        long count = (long) images.batch() * plane;
        double[] mean = new double[channels];
        for (int c = 0; c < channels; c++) {
            mean[c] = sum[c] / count;
        }
        double[] squares = new double[channels];
        forEachChannelRun(images, channels, plane, (c, from) -> {
            double s = 0;
            for (int i = from; i < from + plane; i++) {
                double d = images.get(i) - mean[c];
                s += d * d;
            }
            squares[c] += s;
        });
        double[] std = new double[channels];
        for (int c = 0; c < channels; c++) {
            std[c] = Math.sqrt(squares[c] / count);
        }
        return new Standardizer(mean, std);
    }

    /** The per-channel means (a copy). */
    public double[] mean() {
        return mean.clone();
    }

    /** The per-channel population standard deviations (a copy). */
    public double[] std() {
        return std.clone();
    }

    /**
     * Standardises {@code images} in place with the fitted statistics. A channel of standard deviation 0 (constant in
     * the fitted data) is only shifted, not divided by 0.
     */
    public void apply(Tensor images) {
        int channels = channels(images, "apply");
        if (channels != mean.length) {
            throw new IllegalArgumentException("Standardizer.apply: tensor of shape " + images.shape() + " has " + channels
                    + " channels, the statistics were fitted on " + mean.length);
        }
        int plane = images.size() / (images.batch() * channels);
        forEachChannelRun(images, channels, plane, (c, from) -> {
            double m = mean[c];
            double s = std[c] == 0 ? 1 : std[c];
            for (int i = from; i < from + plane; i++) {
                images.set(i, (images.get(i) - m) / s);
            }
        });
    }

    private static int channels(Tensor images, String what) {
        int rank = images.shape().rank();
        if (rank < 2) {
            throw new IllegalArgumentException("Standardizer." + what + ": expected (N, C, H, W) or (N, D), got shape " + images.shape());
        }
        return rank == 2 ? 1 : images.shape().dim(1);
    }

    @FunctionalInterface
    private interface ChannelRun {
        void accept(int channel, int from);
    }

    /** Calls {@code run} for each contiguous run of one channel's values: each sample's plane of each channel. */
    private static void forEachChannelRun(Tensor images, int channels, int plane, ChannelRun run) {
        for (int n = 0; n < images.batch(); n++) {
            for (int c = 0; c < channels; c++) {
                run.accept(c, (n * channels + c) * plane);
            }
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Standardizer s && Arrays.equals(mean, s.mean) && Arrays.equals(std, s.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "Standardizer[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
    }
}
