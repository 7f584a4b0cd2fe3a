package io.trafficmirror.core.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The VNI table against a {@link HashMap}: same answers through growth and colliding keys. */
class VniTableTest
{
    @Test
    void shouldAnswerAsAHashMapDoesThroughGrowth()
    {
        final VniTable<String> table = new VniTable<>();
        final Map<Integer, String> reference = new HashMap<>();
        final Random random = new Random(42);
        for (int i = 0; i < 5_000; i++)
        {
            // Half the keys from a small range so that updates and collisions happen.
            final int vni = random.nextBoolean() ? random.nextInt(64) : random.nextInt(1 << 24);
            final String value = "v" + i;
            table.put(vni, value);
            reference.put(vni, value);
            final int probe = random.nextInt(1 << 24);
            assertThat(table.get(probe)).isEqualTo(reference.get(probe));
        }
        assertThat(table.size()).isEqualTo(reference.size());
        reference.forEach((vni, value) -> assertThat(table.get(vni)).isEqualTo(value));
        int values = 0;
        for (int slot = 0; slot < table.capacity(); slot++)
        {
            values += table.valueAt(slot) == null ? 0 : 1;
        }
        assertThat(values).isEqualTo(reference.size());
        assertThat(table.get(0xFF_FFFF)).isEqualTo(reference.get(0xFF_FFFF));
    }
}
