package io.simdnet.engine.data;

import io.simdnet.engine.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * MNIST and Fashion-MNIST, which share file names and the IDX format: 60,000 training and 10,000 test images of
 * 28×28 grey pixels with labels 0..9. {@link #load} checks that images and labels belong together and scales the
 * pixels to [0, 1] (as a view: they stay bytes until a batch is gathered).
 */
public final class MnistFamily {

    /** The four files' base names; each may be stored with or without {@code .gz}. */
    public static final List<String> FILES = List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
            "t10k-labels-idx1-ubyte");

    /** Fashion-MNIST's class names, by label. */
    public static final List<String> FASHION_CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
            "Sneaker", "Bag", "Ankle boot");

    /** MNIST's class names, by label: the digits. */
    public static final List<String> DIGIT_CLASSES = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

    private static final int CLASSES = 10;
    private static final int SIDE = 28;

    private MnistFamily() {
    }

    /** Training and test sets: images (N, 1, 28, 28) in [0, 1], stored as bytes; labels F32 (N,) in 0..9. */
    public record Split(Dataset train, Dataset test) {
    }

    /** Reads the four files from {@code dir}, preferring {@code name.gz} over {@code name} when both exist. */
    public static Split load(Path dir) throws IOException {
        Dataset train = load(file(dir, FILES.get(0)), file(dir, FILES.get(1)));
        Dataset test = load(file(dir, FILES.get(2)), file(dir, FILES.get(3)));
        if (!train.sampleShape().equals(test.sampleShape())) {
            throw new MalformedDataException(file(dir, FILES.get(2)), "test images have shape " + test.sampleShape()
                    + ", but the training images in " + file(dir, FILES.get(0)) + " have " + train.sampleShape());
        }
        return new Split(train, test);
    }

    private static Dataset load(Path imagesFile, Path labelsFile) throws IOException {
        // Checked before decompressing: a header announcing other images is not this data set.
        Uint8Images images = Idx.readImages(imagesFile, SIDE, SIDE);
        Tensor labels = Idx.readLabels(labelsFile);
        if (images.batch() != labels.batch()) {
            throw new MalformedDataException(labelsFile, labels.batch() + " labels, but " + imagesFile + " holds " + images.batch()
                    + " images; expected one label per image");
        }
        float[] y = labels.floats();
        for (int i = 0; i < y.length; i++) {
            if (y[i] >= CLASSES) {
                throw new MalformedDataException(labelsFile, "label " + (int) y[i] + " at index " + i + ", expected 0.." + (CLASSES - 1));
            }
        }
        // Division by 255f in float, as these pixels have always been scaled: other scalings differ in the last bit.
        return Dataset.of(images, labels).mapped((channel, value) -> (float) value / 255f);
    }

    private static Path file(Path dir, String name) throws NoSuchFileException {
        Path gz = dir.resolve(name + ".gz");
        if (Files.isRegularFile(gz)) {
            return gz;
        }
        Path raw = dir.resolve(name);
        if (Files.isRegularFile(raw)) {
            return raw;
        }
        throw new NoSuchFileException(gz.toString(), null, "neither " + name + ".gz nor " + name + " is in " + dir);
    }
}
