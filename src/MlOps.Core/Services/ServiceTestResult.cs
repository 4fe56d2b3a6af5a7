using System;

namespace MlOps.Services
{
    /// <summary>The outcome of one test of a service: the model's own tests, or a service test (sample input, output contract, model's check).</summary>
    public sealed class ServiceTestResult
    {
        public ServiceTestResult(string serviceName, string? modelId, string test, bool passed, string message, TimeSpan duration)
        {
            ServiceName = serviceName;
            ModelId = modelId;
            Test = test;
            Passed = passed;
            Message = message;
            Duration = duration;
        }

        public string ServiceName { get; }
        public string? ModelId { get; }

        /// <summary><c>model tests</c>, <c>package service test</c> or <c>deployed service test</c>.</summary>
        public string Test { get; }

        public bool Passed { get; }
        public string Message { get; }
        public TimeSpan Duration { get; }

        public override string ToString() => $"{ServiceName}: {Test}: {(Passed ? "passed" : "failed")} - {Message}";
    }
}
