package io.simdnet.engine;

import io.simdnet.engine.data.Cifar;
import io.simdnet.engine.data.Idx;
import io.simdnet.engine.data.Npy;
import io.simdnet.engine.data.Uint8Images;
import io.simdnet.engine.init.Rng;
import io.simdnet.engine.io.Checkpoint;
import io.simdnet.engine.io.SafeTensors;
import io.simdnet.engine.model.Model;
import io.simdnet.engine.optim.Adam;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Writes the fuzz tests' seed corpus (small valid files of every format, raw and gzip) into
 * {@code engine/src/test/resources}: {@code bin/java25 -cp <test classpath> io.simdnet.engine.FuzzSeeds engine/src/test/resources}.
 * The files are committed; this says how they were made.
 */
public final class FuzzSeeds {

    private FuzzSeeds() {
    }

    public static void main(String[] args) throws Exception {
        Path resources = Path.of(args[0]);
        Path data = resources.resolve("io/simdnet/engine/data");
        Path ioDir = resources.resolve("io/simdnet/engine/io");
        Rng rng = new Rng(1);
        Path tmp = Files.createTempDirectory("seeds");

        Tensor images = random(rng, DType.F32, 255, 3, 1, 4, 5);
        Idx.writeImages(tmp.resolve("images"), images);
        Idx.writeLabels(tmp.resolve("labels"), Tensor.of(new float[] {0, 7, 9}, 3));
        seed(data.resolve("IdxFuzzTestInputs/images"), "three-4x5", Files.readAllBytes(tmp.resolve("images")));
        seed(data.resolve("IdxFuzzTestInputs/images"), "three-4x5.gz", gzip(Files.readAllBytes(tmp.resolve("images"))));
        seed(data.resolve("IdxFuzzTestInputs/labels"), "three", Files.readAllBytes(tmp.resolve("labels")));
        seed(data.resolve("IdxFuzzTestInputs/labels"), "three.gz", gzip(Files.readAllBytes(tmp.resolve("labels"))));

        Cifar.write(tmp.resolve("c10"), new Cifar.Batch(Uint8Images.of(random(rng, DType.F32, 255, 2, 3, 32, 32)), Tensor.of(new float[] {1, 9}, 2), null),
                Cifar.Format.CIFAR10);
        Cifar.write(tmp.resolve("c100"), new Cifar.Batch(Uint8Images.of(random(rng, DType.F32, 255, 1, 3, 32, 32)), Tensor.of(new float[] {57}, 1),
                Tensor.of(new float[] {12}, 1)), Cifar.Format.CIFAR100);
        seed(data.resolve("CifarFuzzTestInputs/batch"), "cifar10-two", Files.readAllBytes(tmp.resolve("c10")));
        seed(data.resolve("CifarFuzzTestInputs/batch"), "cifar100-one", Files.readAllBytes(tmp.resolve("c100")));
        seed(data.resolve("CifarFuzzTestInputs/labelNames"), "names", "airplane\nautomobile\nbird\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));

        for (DType type : DType.values()) {
            Npy.write(tmp.resolve("a.npy"), random(rng, type, 10, 2, 3));
            seed(data.resolve("NpyFuzzTestInputs/read"), "matrix-" + type.name().toLowerCase() + ".npy", Files.readAllBytes(tmp.resolve("a.npy")));
        }

        Path h5 = tmp.resolve("p.h5");
        try (io.jhdf.WritableHdfFile hdf = io.jhdf.HdfFile.write(h5)) {
            hdf.putDataset("patches", new float[][] {{0.5f, 1f, 0f}, {0.25f, 0.75f, 1f}});
            hdf.putDataset("labels", new int[] {3, 4});
        }
        seed(data.resolve("Hdf5FuzzTestInputs/read"), "two-datasets.h5", Files.readAllBytes(h5));

        Path st = tmp.resolve("m.safetensors");
        SafeTensors.write(st, Map.of("a", random(rng, DType.F32, 1, 2, 2), "b", random(rng, DType.F64, 1, 3)), Map.of("note", "seed"));
        seed(ioDir.resolve("SafeTensorsFuzzTestInputs/read"), "two-tensors", Files.readAllBytes(st));

        Model model = io.simdnet.engine.io.CheckpointFuzzTest.model();
        Checkpoint.save(tmp.resolve("w"), model);
        seed(ioDir.resolve("CheckpointFuzzTestInputs/load"), "weights-only", Files.readAllBytes(tmp.resolve("w")));
        Adam adam = new Adam(0.01);
        new io.simdnet.engine.train.Trainer(model, io.simdnet.engine.loss.MeanSquaredError.mean(), adam)
                .trainStep(random(rng, DType.F32, 1, 2, 1, 2, 2), random(rng, DType.F32, 1, 2, 3));
        Checkpoint.save(tmp.resolve("wo"), model, adam);
        seed(ioDir.resolve("CheckpointFuzzTestInputs/load"), "with-adam", Files.readAllBytes(tmp.resolve("wo")));
        for (Path p : List.of(tmp.resolve("images"), tmp.resolve("labels"), tmp.resolve("c10"), tmp.resolve("c100"), tmp.resolve("a.npy"), h5, st,
                tmp.resolve("w"), tmp.resolve("wo"))) {
            Files.deleteIfExists(p);
        }
        Files.delete(tmp);
    }

    private static Tensor random(Rng rng, DType type, int max, int... dims) {
        Tensor t = Tensor.zeros(type, dims);
        for (int i = 0; i < t.size(); i++) {
            t.set(i, max == 1 ? rng.uniform(-1, 1) : rng.nextInt(max + 1));
        }
        return t;
    }

    private static void seed(Path dir, String name, byte[] bytes) throws IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve(name), bytes);
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }
}
