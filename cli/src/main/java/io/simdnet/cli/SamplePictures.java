package io.simdnet.cli;

import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.data.Standardizer;
import io.simdnet.engine.layer.Conv2d;
import io.simdnet.engine.layer.Layer;
import io.simdnet.engine.model.Model;
import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.engine.train.Accuracy;
import io.simdnet.kernel.DType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The pictures the course notebooks draw of image data: the first training images with their labels, the first
 * test images with truth and prediction, a de-normalised photo, and the feature maps of the first convolutions.
 */
final class SamplePictures {

    /** Feature maps shown per convolution (the course shows the first layer's 6-32 maps). */
    private static final int MAX_MAPS = 32;

    private SamplePictures() {
    }

    /** The first {@code count} samples of {@code data} captioned with their class names. */
    static void labelled(Dataset data, List<String> classNames, int count, int columns, String title, Path png) throws IOException {
        if (!isImage(data)) {
            return;
        }
        List<ImageGrid.Tile> tiles = new ArrayList<>();
        for (int i = 0; i < Math.min(count, data.size()); i++) {
            tiles.add(tile(data, i, name(classNames, (int) data.targets().get(i))));
        }
        ImageGrid.write(tiles, columns, scaleFor(data), title, png);
    }

    /** The first 25 test images, every one (right or wrong) captioned {@code GT: truth, P: prediction}. */
    static void predictions(Dataset test, Tensor outputs, List<String> classNames, Path png) throws IOException {
        if (!isImage(test)) {
            return;
        }
        int classes = outputs.size() / outputs.batch();
        List<ImageGrid.Tile> tiles = new ArrayList<>();
        for (int i = 0; i < Math.min(25, test.size()); i++) {
            int predicted = Accuracy.argmax(outputs, i * classes, classes);
            int truth = (int) test.targets().get(i);
            tiles.add(tile(test, i, "GT: " + shortName(name(classNames, truth)) + ", P: " + shortName(name(classNames, predicted))));
        }
        ImageGrid.write(tiles, 5, scaleFor(test), "First 25 test images: ground truth (GT) and prediction (P)", png);
    }

    /** Sample {@code index} of standardised RGB data turned back into [0, 1] colours with its label. */
    static void denormalized(Dataset data, int index, Standardizer standardizer, List<String> classNames, Path png) throws IOException {
        Shape sample = data.sampleShape();
        ImageGrid.Tile t = tile(data, index, name(classNames, (int) data.targets().get(index)));
        int plane = sample.dim(1) * sample.dim(2);
        float[] pixels = t.pixels();
        for (int c = 0; c < sample.dim(0); c++) {
            for (int i = 0; i < plane; i++) {
                pixels[c * plane + i] = (float) (pixels[c * plane + i] * standardizer.std()[c] + standardizer.mean()[c]);
            }
        }
        ImageGrid.write(List.of(t), 1, 8, "De-normalised (x·std + mean)", png, true);
    }

    /**
     * feature_maps.png: the input image, then the activations of the first and second convolution (after their
     * ReLU when one follows) for sample {@code index}, each map scaled on its own; the second layer's smaller maps
     * are enlarged to the first's size. Nothing is written for a model without convolutions.
     */
    static void featureMaps(Model model, Dataset data, int index, List<String> classNames, Path png) throws IOException {
        List<Layer> layers = model.layers();
        List<Integer> convs = new ArrayList<>();
        for (int i = 0; i < layers.size() && convs.size() < 2; i++) {
            if (layers.get(i) instanceof Conv2d) {
                convs.add(i);
            }
        }
        if (convs.isEmpty() || !isImage(data)) {
            return;
        }
        Tensor one = Tensor.zeros(model.dtype(), data.sampleShape().withBatch(1));
        data.gatherInputs(new int[] {index}, 0, 1, one);
        model.forward(one, false);
        List<ImageGrid.Tile> tiles = new ArrayList<>();
        ImageGrid.Tile input = tile(data, index, "input: " + shortName(name(classNames, (int) data.targets().get(index))));
        int height = 0;
        int width = 0;
        for (int k = 0; k < convs.size(); k++) {
            int at = convs.get(k);
            // The map the course shows is the activation: the ReLU (or other element-wise layer) right after the conv.
            Layer shown = at + 1 < layers.size() && layers.get(at + 1).parameters().isEmpty()
                    && layers.get(at + 1).outputShape().equals(layers.get(at).outputShape()) ? layers.get(at + 1) : layers.get(at);
            Tensor maps = model.lastOutput(shown.name());
            Shape s = shown.outputShape();
            if (k == 0) {
                height = s.dim(1);
                width = s.dim(2);
                tiles.add(resized(input, height, width));
            }
            int plane = s.dim(1) * s.dim(2);
            for (int c = 0; c < Math.min(MAX_MAPS, s.dim(0)); c++) {
                float[] pixels = new float[plane];
                for (int i = 0; i < plane; i++) {
                    pixels[i] = (float) maps.get(c * plane + i);
                }
                tiles.add(resized(new ImageGrid.Tile(pixels, 1, s.dim(1), s.dim(2), layers.get(at).name() + " #" + c), height, width));
            }
        }
        ImageGrid.write(tiles, 8, Math.max(2, 96 / Math.max(height, 1)), "Feature maps of " + model.layers().get(convs.get(0)).name()
                + (convs.size() > 1 ? " and " + layers.get(convs.get(1)).name() : "") + " for one test image", png);
    }

    private static ImageGrid.Tile resized(ImageGrid.Tile t, int height, int width) {
        if (t.height() == height && t.width() == width) {
            return t;
        }
        float[] pixels = new float[t.channels() * height * width];
        for (int c = 0; c < t.channels(); c++) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    int sy = y * t.height() / height;
                    int sx = x * t.width() / width;
                    pixels[(c * height + y) * width + x] = t.pixels()[(c * t.height() + sy) * t.width() + sx];
                }
            }
        }
        return new ImageGrid.Tile(pixels, t.channels(), height, width, t.caption());
    }

    private static boolean isImage(Dataset data) {
        Shape s = data.sampleShape();
        return s.rank() == 3 && (s.dim(0) == 1 || s.dim(0) == 3) && data.size() > 0;
    }

    private static ImageGrid.Tile tile(Dataset data, int index, String caption) {
        Shape s = data.sampleShape();
        return new ImageGrid.Tile(pixels(data, index), s.dim(0), s.dim(1), s.dim(2), caption);
    }

    /** Sample {@code index}'s input values as the model sees them (a new array; the data may be bytes). */
    static float[] pixels(Dataset data, int index) {
        Tensor one = Tensor.zeros(DType.F32, data.sampleShape().withBatch(1));
        data.gatherInputs(new int[] {index}, 0, 1, one);
        return one.floats();
    }

    private static int scaleFor(Dataset data) {
        return Math.max(2, 96 / data.sampleShape().dim(1));
    }

    private static String name(List<String> classNames, int label) {
        return label >= 0 && label < classNames.size() ? classNames.get(label) : Integer.toString(label);
    }

    /** Names up to 16 characters as they are (captions widen their cells to fit); longer ones cut with a dot. */
    static String shortName(String name) {
        return name.length() <= 16 ? name : name.substring(0, 15) + ".";
    }
}
