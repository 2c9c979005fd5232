package io.github.nettyjobs;

/** A node of a {@link LinkedQueue}: the links live in the element, so queueing allocates nothing. */
interface Linked<N extends Linked<N>> {

    N prev();

    void prev(N prev);

    N next();

    void next(N next);
}
