package io.simdnet.engine.data;

import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import java.util.Arrays;

/**
 * Per-channel standardisation, {@code (x − mean_c) / std_c}, as torchvision's {@code Normalize} with statistics
 * measured on the data. Fit it on the training split only and apply those same statistics to validation and test data:
 * statistics measured on the test set would leak it into training. That is the caller's job; this class cannot tell
 * which split it is given.
 *
 * <p>For images (N, C, H, W), and any tensor of rank 3 or more, the channel is dimension 1; for rank-2 data (N, D)
 * there is one mean and one standard deviation over all values. Statistics are population statistics (divide by N),
 * computed in double. A {@link Dataset} is standardised as a view ({@link #standardize}), a tensor in place
 * ({@link #apply}); both give the same floats.
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
        int sampleSize = images.size() / images.batch();
        return fit(images.batch(), channels, sampleSize / channels,
                (from, count, chunk) -> Tensor.copy(images, from * sampleSize, chunk, 0, count * sampleSize));
    }

    /**
     * The statistics of {@code data}'s inputs as a batch would get them (for bytes: after their scaling), in the same
     * order and arithmetic as {@link #fit(Tensor)} on those values gathered into one tensor, so the two agree bit for
     * bit; gathered a few samples at a time rather than all at once.
     */
    public static Standardizer fit(Dataset data) {
        int channels = data.channels();
        int[] indices = new int[data.size()];
        java.util.Arrays.setAll(indices, i -> i);
        return fit(data.size(), channels, data.sampleShape().size() / channels, (from, count, chunk) -> data.gatherInputs(indices, from, count, chunk));
    }

    /** Writes samples {@code from} .. {@code from + count − 1} into {@code chunk} (count, sample...). */
    @FunctionalInterface
    private interface SampleReader {
        void read(int from, int count, Tensor chunk);
    }

    /** Samples per chunk of the fit: about 2 MiB of doubles, whatever the sample size. */
    private static int chunkSamples(int sampleSize) {
        return Math.max(1, (1 << 18) / sampleSize);
    }

    private static Standardizer fit(int samples, int channels, int plane, SampleReader reader) {
        double[] sum = new double[channels];
        forEachChannelRun(samples, channels, plane, reader, (values, c, from) -> {
            double s = 0;
            for (int i = from; i < from + plane; i++) {
                s += values[i];
            }
            sum[c] += s;
        });
        long count = (long) samples * plane;
        double[] mean = new double[channels];
        for (int c = 0; c < channels; c++) {
            mean[c] = sum[c] / count;
        }
        double[] squares = new double[channels];
        forEachChannelRun(samples, channels, plane, reader, (values, c, from) -> {
            double s = 0;
            for (int i = from; i < from + plane; i++) {
                double d = values[i] - mean[c];
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
        for (int n = 0; n < images.batch(); n++) {
            for (int c = 0; c < channels; c++) {
                int from = (n * channels + c) * plane;
                for (int i = from; i < from + plane; i++) {
                    images.set(i, standardized(c, images.get(i)));
                }
            }
        }
    }

    /**
     * {@code data} seen standardised with the fitted statistics: the same samples, no copy, each value standardised
     * (and rounded to the data's element type) as {@link #apply} would in place, when a batch is gathered.
     */
    public Dataset standardize(Dataset data) {
        if (data.channels() != mean.length) {
            throw new IllegalArgumentException("Standardizer.standardize: samples of shape " + data.sampleShape() + " have " + data.channels()
                    + " channels, the statistics were fitted on " + mean.length);
        }
        return data.mapped(this::standardized);
    }

    private double standardized(int channel, double value) {
        double s = std[channel] == 0 ? 1 : std[channel];
        return (value - mean[channel]) / s;
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
        void accept(double[] values, int channel, int from);
    }

    /**
     * Calls {@code run} for each contiguous run of one channel's values, each sample's plane of each channel in sample
     * order, with the values of a chunk of samples read as doubles (exact for float and byte data).
     */
    private static void forEachChannelRun(int samples, int channels, int plane, SampleReader reader, ChannelRun run) {
        int sampleSize = channels * plane;
        int chunk = Math.min(samples, chunkSamples(sampleSize));
        Tensor values = Tensor.zeros(DType.F64, chunk, sampleSize);
        for (int first = 0; first < samples; first += chunk) {
            int count = Math.min(chunk, samples - first);
            Tensor view = count == chunk ? values : values.view(Shape.of(count, sampleSize));
            reader.read(first, count, view);
            for (int n = 0; n < count; n++) {
                for (int c = 0; c < channels; c++) {
                    run.accept(values.doubles(), c, (n * channels + c) * plane);
                }
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
