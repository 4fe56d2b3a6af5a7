using System;

namespace MlOps.Streams
{
    /// <summary>
    /// A stream that lends the buffer its next bytes go into, so a writer can read its input straight into it instead
    /// of reading into a buffer of its own and copying (the archive of a streamed upload is built this way).
    /// </summary>
    internal interface IDirectWrite
    {
        /// <summary>Space for at most <paramref name="max"/> (at least 1) next bytes; fill a prefix of it, then <see cref="Commit"/>.</summary>
        ArraySegment<byte> GetSpace(int max);

        /// <summary>The first <paramref name="count"/> bytes of the space last lent were filled: they are written.</summary>
        void Commit(int count);
    }
}
