package io.simdnet.engine.train;

import io.simdnet.engine.optim.LearningRateSchedule;

/** Sets the optimiser's learning rate at the start of each epoch from a schedule and the rate it had at the start. */
public final class LearningRateScheduler implements Callback {

    private final LearningRateSchedule schedule;
    private double initial = Double.NaN;

    public LearningRateScheduler(LearningRateSchedule schedule) {
        this.schedule = schedule;
    }

    @Override
    public void onTrainBegin(Trainer trainer, int epochs, int stepsPerEpoch) {
        if (Double.isNaN(initial)) {
            initial = trainer.optimizer().learningRate();
        }
    }

    @Override
    public void onEpochBegin(Trainer trainer, int epoch) {
        trainer.optimizer().setLearningRate(schedule.rate(epoch, initial));
    }
}
