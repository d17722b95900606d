package dev.bptt.verify.rnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bptt.kernel.clip.ClipResult;
import dev.bptt.kernel.clip.ClipRule;
import dev.bptt.kernel.clip.GradientClipper;
import dev.bptt.kernel.clip.TensorGroup;
import dev.bptt.kernel.clip.TensorView;
import dev.bptt.kernel.rnn.RnnLayout;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link RnnLayout#tensors}: the layout's views as one clipping group over a flat array. */
class RnnLayoutTensorsTest {

  @Test
  void viewsTileTheLayoutInOrderAndExemptTheReadoutFromAgc() {
    for (RnnLayout layout :
        List.of(new RnnLayout(3, 5, 2), new RnnLayout(0, 4, 0), new RnnLayout(7, 1, 3))) {
      float[] grads = new float[layout.size() + 3];
      TensorGroup g = layout.tensors(grads);
      // The layout's own views over the same array, and the offsets of the flat layout.
      List<TensorView> views =
          layout.hasReadout()
              ? List.of(
                  layout.wxh(grads),
                  layout.whh(grads),
                  layout.bh(grads),
                  layout.why(grads),
                  layout.by(grads))
              : List.of(layout.wxh(grads), layout.whh(grads), layout.bh(grads));
      int[] offsets = {
        layout.offWxh(), layout.offWhh(), layout.offBh(), layout.offWhy(), layout.offBy()
      };
      assertEquals(views.size(), g.viewCount(), layout.toString());
      assertEquals(views, g.views(), layout.toString());
      int next = 0;
      for (int i = 0; i < g.viewCount(); i++) {
        TensorView t = g.view(i);
        TensorView v = views.get(i);
        assertSame(grads, t.array());
        assertSame(grads, v.array());
        assertEquals(v.name(), t.name());
        assertEquals(next, t.offset(), v.name());
        assertEquals(offsets[i], t.offset(), v.name());
        assertEquals(v.rows(), t.rows(), v.name());
        assertEquals(v.cols(), t.cols(), v.name());
        assertEquals(v.length(), t.length(), v.name());
        assertEquals(!v.name().equals("W_hy"), t.adaptiveClipping(), v.name());
        next += t.length();
      }
      assertEquals(layout.size(), next, "views cover the layout exactly: " + layout);
    }
  }

  @Test
  void globalClipOverTheGroupEqualsClipOverTheWholeBuffer() {
    RnnLayout layout = new RnnLayout(3, 5, 2);
    float[] a = new float[layout.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = (i % 7) - 3f;
    }
    float[] b = a.clone();
    ClipResult ra = new ClipResult();
    GradientClipper clip = GradientClipper.of(ClipRule.STRICT);
    clip.clipGlobalNorm(layout.tensors(a), 1.0, ra);
    ClipResult rb = clip.clipGlobalNorm(b, 1.0);
    assertTrue(ra.clipped());
    // Small integer entries: every partial sum of squares is exact in float, so per-view partials
    // added in double and one whole-buffer sum agree bitwise, and so do the clipped entries.
    assertEquals(rb.totalNorm(), ra.totalNorm());
    assertEquals(rb.coefficient(), ra.coefficient());
    for (int i = 0; i < a.length; i++) {
      assertEquals(Float.floatToRawIntBits(b[i]), Float.floatToRawIntBits(a[i]), "entry " + i);
    }
  }

  @Test
  void shortArrayIsRejected() {
    RnnLayout layout = new RnnLayout(3, 5, 2);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> layout.tensors(new float[layout.size() - 1]));
    assertTrue(e.getMessage().contains("array has length"), e.getMessage());
    assertFalse(e.getMessage().isEmpty());
  }
}
