using System;
using MlOps.Services;

namespace MlOps.Deployment
{
    /// <summary>How one deploy of a parallel run ended: its deployment, or the error that stopped it.</summary>
    public sealed class DeployOutcome
    {
        public DeployOutcome(DeployRequest request, ServiceDeployment? deployment, Exception? error, TimeSpan duration)
        {
            Request = request;
            Deployment = deployment;
            Error = error;
            Duration = duration;
        }

        public DeployRequest Request { get; }
        public ServiceDeployment? Deployment { get; }
        public Exception? Error { get; }
        public TimeSpan Duration { get; }
        public bool Succeeded => Error == null;

        public string ServiceName => ServiceKinds.ServiceName(Request.Model, Request.Service, Request.Environment);

        public override string ToString() => Succeeded
            ? $"{ServiceName}: deployed {Deployment?.ModelId ?? Deployment?.DeploymentId} in {Duration.TotalSeconds:0} s"
            : $"{ServiceName}: failed after {Duration.TotalSeconds:0} s: {Error!.Message.Split('\n')[0]}";
    }
}
