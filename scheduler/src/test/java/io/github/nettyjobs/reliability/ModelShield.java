package io.github.nettyjobs.reliability;

import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

/** A future a model sequence shielded with the scheduler, and what the sequence did to it. */
final class ModelShield {
    final int id;
    final Promise<Object> inner;
    final Future<Object> returned;
    final Object value;
    boolean tracked = true;
    boolean cancelledByCaller;
    boolean cancelledByClose;

    ModelShield(int id, Promise<Object> inner, Future<Object> returned) {
        this.id = id;
        this.inner = inner;
        this.returned = returned;
        this.value = "shielded-" + id;
    }

    @Override
    public String toString() {
        return "shield#" + id + (tracked ? "" : " done") + (cancelledByCaller ? " cancelled" : "");
    }
}
