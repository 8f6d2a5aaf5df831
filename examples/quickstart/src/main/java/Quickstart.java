import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.layer.Dense;
import io.simdnet.engine.layer.Relu;
import io.simdnet.engine.loss.SoftmaxCrossEntropy;
import io.simdnet.engine.model.Sequential;
import io.simdnet.engine.optim.Adam;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.engine.train.EpochLogger;
import io.simdnet.engine.train.FitOptions;
import io.simdnet.engine.train.History;
import io.simdnet.engine.train.Trainer;
import io.simdnet.kernel.DType;
import java.util.Random;

/** Trains a small network on three spirals (CS231n's toy data) and exits with 1 unless it learned them. */
public class Quickstart {
    public static void main(String[] args) {
        int n = 1500;
        Tensor points = Tensor.zeros(DType.F32, n, 2);
        Tensor labels = Tensor.zeros(DType.F32, n);
        Random random = new Random(1);
        for (int i = 0; i < n; i++) {
            int arm = i % 3; // interleaved, so the validation split (the last 20%) holds all three arms
            double r = random.nextDouble(), angle = arm * 2 * Math.PI / 3 + 4 * r + 0.2 * random.nextGaussian();
            points.set(2 * i, r * Math.sin(angle));
            points.set(2 * i + 1, r * Math.cos(angle));
            labels.set(i, arm);
        }
        Sequential model = Sequential.input(2).add(new Dense(64)).add(new Relu()).add(new Dense(64)).add(new Relu()).add(new Dense(3))
                .build(DType.F32, 42);
        System.out.print(model.summary());
        Trainer trainer = new Trainer(model, new SoftmaxCrossEntropy(), new Adam(0.01));
        History history = trainer.fit(Dataset.of(points, labels), new FitOptions()
                .epochs(10).batchSize(32).seed(7).validationSplit(0.2).callback(new EpochLogger(System.out)));
        double firstLoss = history.epochs().get(0).trainLoss(), lastLoss = history.last().trainLoss();
        double accuracy = history.last().validationAccuracy();
        System.out.printf("loss %.3f -> %.3f, validation accuracy %.3f (chance: 0.333)%n", firstLoss, lastLoss, accuracy);
        if (!(lastLoss < firstLoss / 2 && accuracy > 0.9)) {
            System.err.println("quickstart: the network did not learn the spirals");
            System.exit(1);
        }
    }
}
