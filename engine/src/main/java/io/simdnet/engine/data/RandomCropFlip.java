package io.simdnet.engine.data;

import io.simdnet.engine.init.Rng;
import io.simdnet.engine.tensor.Tensor;
import java.util.Arrays;

/**
 * The standard CIFAR augmentation: each image of an (N, C, H, W) batch is zero-padded by {@code padding} on every side,
 * cropped back to H×W at an offset drawn uniformly from [0, 2·padding] in each direction (so shifted by up to
 * {@code padding} pixels, with zeros shifted in), then mirrored left to right with probability 0.5 if
 * {@code horizontalFlip}. Works in place through one scratch image kept between calls, so it allocates only when a
 * larger image than before arrives. Not thread-safe: give each training run its own.
 */
public final class RandomCropFlip implements BatchTransform {

    private final int padding;
    private final boolean horizontalFlip;
    private float[] floatScratch = new float[0];
    private double[] doubleScratch = new double[0];

    public RandomCropFlip(int padding, boolean horizontalFlip) {
        if (padding < 0) {
            throw new IllegalArgumentException("RandomCropFlip: padding = " + padding + ", expected >= 0");
        }
        this.padding = padding;
        this.horizontalFlip = horizontalFlip;
    }

    public int padding() {
        return padding;
    }

    public boolean horizontalFlip() {
        return horizontalFlip;
    }

    @Override
    public void apply(Tensor batch, Rng rng) {
        if (batch.shape().rank() != 4) {
            throw new IllegalArgumentException("RandomCropFlip: expected images (N, C, H, W), got shape " + batch.shape());
        }
        int channels = batch.shape().dim(1);
        int height = batch.shape().dim(2);
        int width = batch.shape().dim(3);
        int image = channels * height * width;
        // Draw order per image is fixed (row offset, column offset, flip), so one seed gives one result.
        for (int n = 0; n < batch.batch(); n++) {
            int dy = rng.nextInt(2 * padding + 1) - padding;
            int dx = rng.nextInt(2 * padding + 1) - padding;
            boolean flip = horizontalFlip && rng.nextDouble() < 0.5;
            if (dy == 0 && dx == 0 && !flip) {
                continue;
            }
            if (batch.floats() != null) {
                if (floatScratch.length < image) {
                    floatScratch = new float[image];
                }
                System.arraycopy(batch.floats(), n * image, floatScratch, 0, image);
                cropFlip(floatScratch, batch.floats(), n * image, channels, height, width, dy, dx, flip);
            } else {
                if (doubleScratch.length < image) {
                    doubleScratch = new double[image];
                }
                System.arraycopy(batch.doubles(), n * image, doubleScratch, 0, image);
                cropFlip(doubleScratch, batch.doubles(), n * image, channels, height, width, dy, dx, flip);
            }
        }
    }

    /** out(c, y, x) = in(c, y + dy, x' + dx) with x' = x, or W − 1 − x when flipped; 0 outside the image. */
    private static void cropFlip(float[] in, float[] out, int at, int channels, int height, int width, int dy, int dx, boolean flip) {
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < height; y++) {
                int row = at + (c * height + y) * width;
                int sy = y + dy;
                if (sy < 0 || sy >= height) {
                    Arrays.fill(out, row, row + width, 0f);
                    continue;
                }
                int source = (c * height + sy) * width;
                for (int x = 0; x < width; x++) {
                    int sx = (flip ? width - 1 - x : x) + dx;
                    out[row + x] = sx >= 0 && sx < width ? in[source + sx] : 0f;
                }
            }
        }
    }

    private static void cropFlip(double[] in, double[] out, int at, int channels, int height, int width, int dy, int dx, boolean flip) {
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < height; y++) {
                int row = at + (c * height + y) * width;
                int sy = y + dy;
                if (sy < 0 || sy >= height) {
                    Arrays.fill(out, row, row + width, 0.0);
                    continue;
                }
                int source = (c * height + sy) * width;
                for (int x = 0; x < width; x++) {
                    int sx = (flip ? width - 1 - x : x) + dx;
                    out[row + x] = sx >= 0 && sx < width ? in[source + sx] : 0.0;
                }
            }
        }
    }

    @Override
    public String toString() {
        return "RandomCropFlip(padding=" + padding + ", horizontalFlip=" + horizontalFlip + ")";
    }
}
