package dev.bptt.verify.readme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.clip.ClipRule;
import dev.bptt.kernel.clip.GradientClipper;
import dev.bptt.kernel.rnn.LossSteps;
import dev.bptt.kernel.rnn.SequenceBatch;
import dev.bptt.kernel.rnn.SequenceShape;
import dev.bptt.kernel.rnn.StackLayout;
import dev.bptt.kernel.rnn.StackedRnn;
import dev.bptt.kernel.training.Adam;
import dev.bptt.kernel.training.Checkpoint;
import dev.bptt.kernel.training.MseLoss;
import dev.bptt.kernel.training.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The README's training example, compiled and run (the region between the markers is in README.md
 * verbatim), then checked: the loss fell well below the 1/6 of predicting 1 (a deterministic run;
 * the README quotes what it printed), every step was counted, and the checkpoint loads back
 * bitwise.
 */
class TrainingExampleTest {

  @Test
  void readmeExample() throws Exception {
    Path dir = Files.createDirectories(Path.of("target", "readme-training"));
    // README-EXAMPLE-BEGIN training
    // The adding problem, T = 20: channel 0 holds values U[0, 1], channel 1 marks one value in each
    // half; predict the sum of the two marked values at the last step (MSE; predicting 1 scores
    // 1/6).
    int steps = 20, batch = 32;
    StackedRnn lstm = StackedRnn.lstm(2, 32).withReadout(1);
    SplittableRandom random = new SplittableRandom(1);
    float[] params = lstm.initialParameters(random); // U(−1/√H, 1/√H), as PyTorch
    float[] x = new float[steps * batch * 2], target = new float[batch];
    SequenceBatch seq =
        new SequenceBatch(lstm, SequenceShape.steps(steps).batch(batch))
            .input(x)
            .losses(LossSteps.lastStep())
            .loss(MseLoss.of().stepLoss(LossSteps.lastStep(), steps, batch, 1, target, 0));
    Trainer trainer =
        Trainer.builder(lstm, params, Adam.of(1e-2))
            .shape(seq.shape())
            .clip(Trainer.Clip.GLOBAL_NORM, GradientClipper.of(ClipRule.PYTORCH), 1.0) // ‖g‖ ≤ 1
            .build();
    for (int step = 1; step <= 600; step++) {
      for (int b = 0; b < batch; b++) { // a fresh batch: x [T][B][2], target [B]
        int i = random.nextInt(steps / 2), j = steps / 2 + random.nextInt(steps / 2);
        target[b] = 0;
        for (int t = 0; t < steps; t++) {
          float v = (float) random.nextDouble();
          x[(t * batch + b) * 2] = v;
          x[(t * batch + b) * 2 + 1] = t == i || t == j ? 1f : 0f;
          target[b] += t == i || t == j ? v : 0f;
        }
      }
      double loss = trainer.step(seq); // forward, MSE, backward, clip, Adam
      if (step % 100 == 0) {
        System.out.printf("step %d: MSE %.4f (predicting 1: %.4f)%n", step, loss, 1.0 / 6);
      }
    }
    Path file = dir.resolve("adding-lstm.safetensors"); // PyTorch: load_file + load_state_dict
    Checkpoint.of("rnn.", lstm.layout().tensors(params)).save(file);
    // README-EXAMPLE-END training

    double loss = trainer.lastLoss();
    assertEquals(600, trainer.steps());
    assertTrue(loss < 0.02, "MSE after 600 steps: " + loss);
    StackLayout layout = lstm.layout();
    float[] back = new float[layout.size()];
    Checkpoint.of("rnn.", layout.tensors(back)).load(file);
    assertEquals(java.util.Arrays.toString(params), java.util.Arrays.toString(back));
  }
}
