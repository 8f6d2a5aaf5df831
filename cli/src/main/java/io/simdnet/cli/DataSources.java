package io.simdnet.cli;

import io.simdnet.engine.data.Cifar;
import io.simdnet.engine.data.CifarMat;
import io.simdnet.engine.data.CifarPickle;
import io.simdnet.engine.data.DataLocator;
import io.simdnet.engine.data.DataSplits;
import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.data.DatasetNotFoundException;
import io.simdnet.engine.data.MnistFamily;
import io.simdnet.engine.data.Transforms;
import io.simdnet.engine.data.Uint8Images;
import io.simdnet.engine.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/** Finds and loads the datasets the experiments use; Fashion-MNIST falls back to the slice inside this jar. */
final class DataSources {

    static final String SLICE = "/io/simdnet/cli/fashion-mnist-slice/";

    private DataSources() {
    }

    /** Fashion-MNIST, pixels in [0, 1]; the embedded 6,000 + 1,000 image slice when no copy is found. */
    static LabeledData fashionMnist(TrainingOptions options, PrintStream out) throws IOException {
        try {
            Path dir = DataLocator.locate("fashion-mnist", options.data, MnistFamily.FILES);
            MnistFamily.Split split = MnistFamily.load(dir);
            return limited(new LabeledData(split.train(), split.test(), MnistFamily.FASHION_CLASSES, "Fashion-MNIST from " + dir), options);
        } catch (DatasetNotFoundException e) {
            if (options.data != null) {
                throw e;
            }
            Path dir = extractSlice();
            MnistFamily.Split split = MnistFamily.load(dir);
            out.println("No Fashion-MNIST found; training on the 6,000-image slice embedded in this jar. For the full data: "
                    + "sudo apt-get install dataset-fashion-mnist (or pass --data DIR).");
            return limited(new LabeledData(split.train(), split.test(), MnistFamily.FASHION_CLASSES,
                    "the embedded Fashion-MNIST slice (6,000 train, 1,000 test)"), options);
        }
    }

    /** MNIST digits, pixels in [0, 1]. */
    static LabeledData mnist(TrainingOptions options) throws IOException {
        Path dir = DataLocator.locate("mnist", options.data, MnistFamily.FILES);
        MnistFamily.Split split = MnistFamily.load(dir);
        return limited(new LabeledData(split.train(), split.test(), MnistFamily.DIGIT_CLASSES, "MNIST from " + dir), options);
    }

    /** CIFAR-100 with its 20 coarse labels (superclasses), pixels in [0, 1]. */
    static LabeledData cifar100Coarse(TrainingOptions options) throws IOException {
        Path dir;
        try {
            dir = DataLocator.locate("cifar-100", options.data, List.of("train.bin", "test.bin", "coarse_label_names.txt"));
        } catch (DatasetNotFoundException binaryMissing) {
            // The MATLAB version (train.mat, test.mat, meta.mat), when the binary one is not there.
            Path mat;
            try {
                mat = DataLocator.locate("cifar-100-matlab", options.data, List.of("train.mat", "test.mat", "meta.mat"));
            } catch (DatasetNotFoundException matlabMissing) {
                throw binaryMissing;
            }
            Cifar.Batch train = CifarMat.read(mat.resolve("train.mat"));
            Cifar.Batch test = CifarMat.read(mat.resolve("test.mat"));
            return limited(new LabeledData(scaled(train.images(), train.coarseLabels()), scaled(test.images(), test.coarseLabels()),
                    CifarMat.labelNames(mat.resolve("meta.mat"), "coarse_label_names"), "CIFAR-100 (coarse labels, MATLAB version) from " + mat),
                    options);
        }
        Cifar.Batch train = Cifar.read(file(dir, "train.bin"), Cifar.Format.CIFAR100);
        Cifar.Batch test = Cifar.read(file(dir, "test.bin"), Cifar.Format.CIFAR100);
        List<String> names = Cifar.labelNames(dir.resolve("coarse_label_names.txt"));
        return limited(new LabeledData(scaled(train.images(), train.coarseLabels()), scaled(test.images(), test.coarseLabels()), names,
                "CIFAR-100 (coarse labels) from " + dir), options);
    }

    /**
     * CIFAR-10 in its binary version (data_batch_1..5.bin, test_batch.bin, batches.meta.txt) or, when that is not
     * found, its Python version (data_batch_1..5, test_batch, batches.meta pickles), pixels in [0, 1].
     */
    static LabeledData cifar10(TrainingOptions options) throws IOException {
        List<String> files = List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin",
                "test_batch.bin", "batches.meta.txt");
        Path dir;
        try {
            dir = DataLocator.locate("cifar-10-batches-bin", options.data, files);
        } catch (DatasetNotFoundException binaryMissing) {
            List<String> pickles = List.of("data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch",
                    "batches.meta");
            Path py;
            try {
                py = DataLocator.locate("cifar-10-batches-py", options.data, pickles);
            } catch (DatasetNotFoundException pythonMissing) {
                throw binaryMissing;
            }
            List<Path> batches = new ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                batches.add(py.resolve("data_batch_" + i));
            }
            Cifar.Batch train = CifarPickle.readAll(batches);
            Cifar.Batch test = CifarPickle.read(py.resolve("test_batch"));
            return limited(new LabeledData(scaled(train.images(), train.labels()), scaled(test.images(), test.labels()),
                    CifarPickle.labelNames(py.resolve("batches.meta"), "label_names"), "CIFAR-10 (Python version) from " + py), options);
        }
        List<Path> batches = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            batches.add(file(dir, "data_batch_" + i + ".bin"));
        }
        Cifar.Batch train = Cifar.readAll(batches, Cifar.Format.CIFAR10);
        Cifar.Batch test = Cifar.read(file(dir, "test_batch.bin"), Cifar.Format.CIFAR10);
        return limited(new LabeledData(scaled(train.images(), train.labels()), scaled(test.images(), test.labels()),
                Cifar.labelNames(dir.resolve("batches.meta.txt")), "CIFAR-10 from " + dir), options);
    }

    /** The bytes seen as floats in [0, 1]: they stay bytes, scaled as each batch is gathered. */
    private static Dataset scaled(Uint8Images images, Tensor labels) {
        return Transforms.scaled(Dataset.of(images, labels), 1 / 255.0);
    }

    /** {@code name} or {@code name.gz}, whichever exists. */
    static Path file(Path dir, String name) {
        Path plain = dir.resolve(name);
        Path gz = dir.resolve(name + ".gz");
        return Files.exists(gz) ? gz : plain;
    }

    /** The first --limit samples, copied, so that the rest of the data is not kept in memory. */
    private static LabeledData limited(LabeledData data, TrainingOptions options) {
        if (options.limit == null) {
            return data;
        }
        int trainCount = Math.min(options.limit, data.train().size());
        int testCount = Math.max(1, Math.min(options.limit / 5, data.test().size()));
        return new LabeledData(DataSplits.rows(data.train(), 0, trainCount).compacted(), DataSplits.rows(data.test(), 0, testCount).compacted(),
                data.classNames(), data.source() + ", first " + trainCount + " training and " + testCount + " test samples");
    }

    private static Path extractSlice() throws IOException {
        Path dir = Files.createTempDirectory("simdnet-fashion-slice");
        dir.toFile().deleteOnExit();
        for (String name : MnistFamily.FILES) {
            try (InputStream in = DataSources.class.getResourceAsStream(SLICE + name + ".gz")) {
                if (in == null) {
                    throw new IOException("The embedded Fashion-MNIST slice is missing " + name + ".gz from the jar");
                }
                Path target = dir.resolve(name + ".gz");
                Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                target.toFile().deleteOnExit();
            }
        }
        return dir;
    }
}
