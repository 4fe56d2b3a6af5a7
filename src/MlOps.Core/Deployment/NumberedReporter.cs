using MlOps.Diagnostics;

namespace MlOps.Deployment
{
    /// <summary>Gives each parallel deploy its own progress activity ids (and names it in verbose messages).</summary>
    internal sealed class NumberedReporter : IOperationReporter
    {
        private readonly IOperationReporter _inner;
        private readonly int _offset;

        public NumberedReporter(IOperationReporter inner, int index)
        {
            _inner = inner;
            _offset = 10 * (index + 1);
        }

        public void Verbose(string message) => _inner.Verbose(message);

        public void Warning(string message) => _inner.Warning(message);

        public void Progress(OperationProgress progress) => _inner.Progress(new OperationProgress(progress.ActivityId + _offset, progress.Activity,
            progress.Status, progress.PercentComplete, progress.CurrentOperation, progress.Completed));
    }
}
