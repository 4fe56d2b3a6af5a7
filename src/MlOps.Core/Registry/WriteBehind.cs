using System.IO;

namespace MlOps.Registry
{
    /// <summary>
    /// Starts each written stretch of <see cref="Stretch"/> bytes on its way to disk while the copy goes on, so the flush
    /// that makes the file durable overlaps the hashing instead of following it (a large file's flush otherwise waits
    /// for all of it at the end).
    /// </summary>
    internal sealed class WriteBehind
    {
        private const long Stretch = 8L << 20;

        /// <summary>Stretches on their way to disk at once: the disk streams while memory holds little that is not on it yet.</summary>
        private const int InFlight = 4;

        private readonly FileStream _output;
        private long _written;
        private long _started;

        public WriteBehind(FileStream output)
        {
            _output = output;
        }

        public void Wrote(int count)
        {
            _written += count;
            if (_written - _started >= Stretch)
            {
                DurableFiles.StartWriteback(_output, _started, _written - _started);
                if (_started >= InFlight * Stretch)
                {
                    DurableFiles.AwaitWriteback(_output, _started - InFlight * Stretch, Stretch);
                }

                _started = _written;
            }
        }
    }
}
