# Reads the CI pipelines New-MlProject writes, for CiTemplates.Tests.ps1: YAML (YamlDotNet, a test-only package restored
# by tests/tools/Bootstrap.csproj), the conditions of GitHub Actions and Azure DevOps, and a simulation of which pwsh
# steps run for a branch and trigger. Dot-source after Common.ps1.

function Import-YamlDotNet {
    if ('YamlDotNet.RepresentationModel.YamlStream' -as [type]) { return }
    $packages = ((& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', '').Trim()
    $framework = if ($PSVersionTable.PSEdition -eq 'Core') { 'net8.0' } else { 'netstandard2.0' }
    $dll = Join-Path $packages "yamldotnet/16.3.0/lib/$framework/YamlDotNet.dll"
    if (-not (Test-Path $dll)) {
        & dotnet restore (Join-Path $script:RepoRoot 'tests/tools/Bootstrap.csproj') --nologo -v quiet | Out-Null
    }
    if (-not (Test-Path $dll)) { throw "YamlDotNet was restored but $dll is missing." }
    Add-Type -Path $dll
}

function ConvertFrom-YamlNode($Node) {
    # Mappings become ordered dictionaries, sequences arrays, scalars strings (aliases are resolved by YamlDotNet).
    if ($Node -is [YamlDotNet.RepresentationModel.YamlMappingNode]) {
        $map = [ordered]@{}
        foreach ($entry in $Node.Children.GetEnumerator()) { $map[$entry.Key.Value] = ConvertFrom-YamlNode $entry.Value }
        return $map
    }
    if ($Node -is [YamlDotNet.RepresentationModel.YamlSequenceNode]) {
        return , @(foreach ($child in $Node.Children) { , (ConvertFrom-YamlNode $child) })
    }
    return $Node.Value
}

function ConvertFrom-Yaml([Parameter(Mandatory)] [string] $Text) {
    Import-YamlDotNet
    $stream = [YamlDotNet.RepresentationModel.YamlStream]::new()
    $stream.Load([IO.StringReader]::new($Text))
    if ($stream.Documents.Count -ne 1) { throw "Expected one YAML document, found $($stream.Documents.Count)." }
    , (ConvertFrom-YamlNode $stream.Documents[0].RootNode)
}

function Test-Glob([string] $Value, [string] $Pattern, [switch] $StarCrossesSlash) {
    # CI branch filters: '**' matches anything; '*' stops at '/' (GitHub, Bitbucket) or not (Azure DevOps).
    $star = if ($StarCrossesSlash) { '.*' } else { '[^/]*' }
    $regex = '^' + (([regex]::Escape($Pattern) -replace '\\\*\\\*', '.*' -replace '(?<!\.)\\\*', $star)) + '$'
    $Value -match $regex
}

function Invoke-CiExpression {
    # Evaluates a GitHub Actions `if:` or an Azure DevOps `condition:` (the subset the templates use: strings, context
    # values, ==, !=, &&, ||, !, and the functions below). Anything else is an error, so the test cannot pass by accident.
    param([Parameter(Mandatory)] [string] $Expression, [Parameter(Mandatory)] [hashtable] $Context)
    $text = $Expression.Trim()
    if ($text -match '^\$\{\{(.*)\}\}$') { $text = $Matches[1] }
    $tokens = [Collections.Generic.List[string]]::new()
    $pattern = [regex]::new("\G\s*('(?:[^']|'')*'|==|!=|&&|\|\||!|\(|\)|,|[A-Za-z_][\w.\-]*(?:\['[^']*'\])?)")
    $at = 0
    while ($text.Substring($at).Trim()) {
        $match = $pattern.Match($text, $at)
        if (-not $match.Success) { throw "Cannot read the condition at '$($text.Substring($at))': $Expression" }
        $tokens.Add($match.Groups[1].Value)
        $at = $match.Index + $match.Length
    }
    $state = @{ Position = 0 }
    function Peek { if ($state.Position -lt $tokens.Count) { $tokens[$state.Position] } }
    function Next { $tokens[$state.Position]; $state.Position++ }
    function Expect([string] $token) { $got = Next; if ($got -ne $token) { throw "Expected '$token' but found '$got' in: $Expression" } }
    function Read-Or { $value = Read-And; while ((Peek) -eq '||') { $null = Next; $right = Read-And; $value = [bool]$value -or [bool]$right }; $value }
    function Read-And { $value = Read-Compare; while ((Peek) -eq '&&') { $null = Next; $right = Read-Compare; $value = [bool]$value -and [bool]$right }; $value }
    function Read-Compare {
        $value = Read-Unary
        while ((Peek) -in '==', '!=') {
            $operator = Next; $right = Read-Unary
            $value = if ($operator -eq '==') { "$value" -ieq "$right" } else { "$value" -ine "$right" }
        }
        $value
    }
    function Read-Unary { if ((Peek) -eq '!') { $null = Next; return -not [bool](Read-Unary) }; Read-Primary }
    function Read-Primary {
        $token = Next
        if ($null -eq $token) { throw "Unexpected end of: $Expression" }
        if ($token -eq '(') { $value = Read-Or; Expect ')'; return $value }
        if ($token.StartsWith("'")) { return $token.Substring(1, $token.Length - 2).Replace("''", "'") }
        if ((Peek) -eq '(') {
            $null = Next
            $arguments = @()
            if ((Peek) -ne ')') { $arguments += , (Read-Or); while ((Peek) -eq ',') { $null = Next; $arguments += , (Read-Or) } }
            Expect ')'
            switch ($token) {
                { $_ -in 'success', 'succeeded', 'always' } { return $true }
                { $_ -in 'failure', 'failed', 'cancelled', 'canceled' } { return $false }
                'and' { return @($arguments | Where-Object { -not [bool]$_ }).Count -eq 0 }
                'or' { return @($arguments | Where-Object { [bool]$_ }).Count -gt 0 }
                'not' { return -not [bool]$arguments[0] }
                'eq' { return "$($arguments[0])" -ieq "$($arguments[1])" }
                'ne' { return "$($arguments[0])" -ine "$($arguments[1])" }
                'startsWith' { return "$($arguments[0])".StartsWith("$($arguments[1])", [StringComparison]::OrdinalIgnoreCase) }
                'endsWith' { return "$($arguments[0])".EndsWith("$($arguments[1])", [StringComparison]::OrdinalIgnoreCase) }
                'contains' { return "$($arguments[0])".IndexOf("$($arguments[1])", [StringComparison]::OrdinalIgnoreCase) -ge 0 }
                default { throw "Unknown function '$token' in: $Expression" }
            }
        }
        if ($token -in 'true', 'false') { return $token -eq 'true' }
        $name = $token -replace "\['([^']*)'\]$", '.$1'
        if (-not $Context.ContainsKey($name)) { throw "Unknown value '$token' in: $Expression" }
        $Context[$name]
    }
    $result = Read-Or
    if ($state.Position -ne $tokens.Count) { throw "Unexpected '$($tokens[$state.Position])' in: $Expression" }
    [bool]$result
}

function Get-GitHubRun {
    # The pwsh steps a GitHub Actions workflow runs for a push to $Branch, or for a manual run (workflow_dispatch) on it.
    param([Parameter(Mandatory)] $Workflow, [Parameter(Mandatory)] [string] $Branch, [switch] $Manual)
    $on = $Workflow['on']
    if ($Manual) {
        if (-not $on.Contains('workflow_dispatch')) { return }
    }
    elseif (-not ($on.Contains('push') -and @($on['push']['branches'] | Where-Object { Test-Glob $Branch $_ }).Count)) { return }
    $context = @{ 'github.ref' = "refs/heads/$Branch"; 'github.event_name' = $(if ($Manual) { 'workflow_dispatch' } else { 'push' }) }
    $ran = @{}
    foreach ($jobName in $Workflow['jobs'].Keys) {
        $job = $Workflow['jobs'][$jobName]
        $needs = @($job['needs'] | Where-Object { $_ })
        if (@($needs | Where-Object { -not $ran[$_] }).Count) { continue }
        if ($job.Contains('if') -and -not (Invoke-CiExpression $job['if'] $context)) { continue }
        $ran[$jobName] = $true
        foreach ($step in $job['steps']) {
            if ($step.Contains('if') -and -not (Invoke-CiExpression $step['if'] $context)) { continue }
            if ($step.Contains('run') -and $step['shell'] -eq 'pwsh') {
                [pscustomobject]@{ Trigger = $(if ($Manual) { 'manual' } else { 'push' }); Job = $jobName; Step = $step['name']
                    Environment = $job['environment']; Env = $job['env']; Script = $step['run'] }
            }
        }
    }
}

function Get-AzureDevOpsRun {
    # The pwsh steps an Azure DevOps pipeline runs for a push to $Branch; steps behind a manual validation are 'manual'.
    param([Parameter(Mandatory)] $Pipeline, [Parameter(Mandatory)] [string] $Branch)
    if (-not @($Pipeline['trigger']['branches']['include'] | Where-Object { Test-Glob $Branch $_ -StarCrossesSlash }).Count) { return }
    $context = @{ 'variables.Build.SourceBranch' = "refs/heads/$Branch"; 'variables.Build.Reason' = 'IndividualCI' }
    $ranStages = @{}
    $previous = $null
    foreach ($stage in $Pipeline['stages']) {
        $dependsOn = if ($stage.Contains('dependsOn')) { @($stage['dependsOn']) } elseif ($previous) { @($previous) } else { @() }
        $previous = $stage['stage']
        if (@($dependsOn | Where-Object { -not $ranStages[$_] }).Count) { continue }
        if ($stage.Contains('condition') -and -not (Invoke-CiExpression $stage['condition'] $context)) { continue }
        $ranStages[$stage['stage']] = $true
        $gated = @{}
        foreach ($job in $stage['jobs']) {
            $name = if ($job.Contains('job')) { $job['job'] } else { $job['deployment'] }
            $steps = if ($job.Contains('deployment')) { $job['strategy']['runOnce']['deploy']['steps'] } else { $job['steps'] }
            $jobDependsOn = @($job['dependsOn'] | Where-Object { $_ })
            $isGate = $job['pool'] -eq 'server' -and @($steps | Where-Object { $_['task'] -like 'ManualValidation@*' -and $_['inputs']['onTimeout'] -eq 'reject' }).Count
            $gated[$name] = [bool]$isGate -or @($jobDependsOn | Where-Object { $gated[$_] }).Count -gt 0
            if ($job.Contains('condition') -and -not (Invoke-CiExpression $job['condition'] $context)) { continue }
            foreach ($step in $steps) {
                if ($step.Contains('condition') -and -not (Invoke-CiExpression $step['condition'] $context)) { continue }
                if ($step.Contains('pwsh')) {
                    [pscustomobject]@{ Trigger = $(if ($gated[$name]) { 'manual' } else { 'push' }); Job = "$($stage['stage'])/$name"
                        Step = $step['displayName']; Environment = $job['environment']; Env = $step['env']; Script = $step['pwsh'] }
                }
            }
        }
    }
}

function Get-BitbucketRun {
    # The pwsh commands a Bitbucket pipeline runs for a push to $Branch: its matching branch pipeline, else the default one.
    # Steps from the first `trigger: manual` on are 'manual' (the pipeline waits there for someone to run it).
    param([Parameter(Mandatory)] $Pipeline, [Parameter(Mandatory)] [string] $Branch)
    $matching = @($Pipeline['pipelines']['branches'].Keys | Where-Object { Test-Glob $Branch $_ })
    if ($matching.Count -gt 1) { throw "Branch $Branch matches several pipelines: $($matching -join ', ')" }
    $steps = if ($matching.Count) { $Pipeline['pipelines']['branches'][$matching[0]] } else { $Pipeline['pipelines']['default'] }
    $manual = $false
    foreach ($item in $steps) {
        $step = $item['step']
        if ($step['trigger'] -eq 'manual') { $manual = $true }
        foreach ($line in $step['script']) {
            if ($line -notmatch '^\s*(\w+="[^"]*"\s+)*pwsh\b') { continue }
            if ($line -notmatch '(?s)^\s*(?:\w+="[^"]*"\s+)*pwsh(?:\s+-\w+)*?\s+-(?:c|Command)\s+''(?<code>[^'']*)''\s*$') {
                throw "Cannot read the pwsh command of step '$($step['name'])': $line"
            }
            [pscustomobject]@{ Trigger = $(if ($manual) { 'manual' } else { 'push' }); Job = $step['name']; Step = $step['name']
                Environment = $step['deployment']; Env = $null; Script = $Matches['code'] }
        }
    }
}

function Get-CiRun {
    # Every pwsh script a pipeline runs for a branch, push and manual triggers together.
    param([Parameter(Mandatory)] [string] $CiSystem, [Parameter(Mandatory)] $Pipeline, [Parameter(Mandatory)] [string] $Branch)
    switch ($CiSystem) {
        'GitHub' { Get-GitHubRun $Pipeline $Branch; Get-GitHubRun $Pipeline $Branch -Manual }
        'AzureDevOps' { Get-AzureDevOpsRun $Pipeline $Branch }
        'Bitbucket' { Get-BitbucketRun $Pipeline $Branch }
        default { throw "Unknown CI system $CiSystem" }
    }
}

function Get-ScriptAst([Parameter(Mandatory)] [string] $Script) {
    $tokens = $null; $errors = $null
    $ast = [System.Management.Automation.Language.Parser]::ParseInput($Script, [ref] $tokens, [ref] $errors)
    if ($errors) { throw "The pwsh script does not parse: $($errors[0].Message)`n$Script" }
    $ast
}

function Get-MlCommandCall {
    # The MlOps commands a script calls, in order, with their named parameters and the environment each acts on:
    # -Environment if given, else the environment of the objects piped in (a promoted version carries its environment).
    param([Parameter(Mandatory)] [string] $Script)
    $ast = Get-ScriptAst $Script
    foreach ($pipeline in $ast.FindAll({ $args[0] -is [System.Management.Automation.Language.PipelineAst] }, $true)) {
        $environment = $null
        foreach ($element in $pipeline.PipelineElements) {
            if ($element -isnot [System.Management.Automation.Language.CommandAst]) { continue }
            $name = $element.GetCommandName()
            if ($name -notmatch '^[A-Za-z]+-Ml[A-Za-z]+$') { continue }
            $parameters = @{}
            foreach ($parameter in $element.CommandElements | Where-Object { $_ -is [System.Management.Automation.Language.CommandParameterAst] }) {
                $argument = $parameter.Argument
                if (-not $argument) {
                    $next = $element.CommandElements[$element.CommandElements.IndexOf($parameter) + 1]
                    if ($next -isnot [System.Management.Automation.Language.CommandParameterAst]) { $argument = $next }
                }
                $value = if ($null -eq $argument) { '$true' }
                elseif ($argument -is [System.Management.Automation.Language.StringConstantExpressionAst]) { $argument.Value }
                else { $argument.Extent.Text }
                $parameters[$parameter.ParameterName] = $value
            }
            if ($parameters.ContainsKey('Environment')) { $environment = $parameters['Environment'] }
            [pscustomobject]@{
                Command     = $name
                Parameters  = $parameters
                Environment = $environment
                TestOnly    = $parameters.ContainsKey('TestOnly')
                Ast         = $element
            }
        }
    }
}

function Get-CommandProblem {
    # What is wrong with the MlOps commands of a script: commands the module does not export, parameters they do not have
    # (names must be spelled out: a parameter name or alias, not an abbreviation), and arguments PowerShell cannot bind.
    param([Parameter(Mandatory)] [string] $Script)
    $ast = Get-ScriptAst $Script
    foreach ($command in $ast.FindAll({ $args[0] -is [System.Management.Automation.Language.CommandAst] }, $true)) {
        $name = $command.GetCommandName()
        if ($name -notmatch '^[A-Za-z]+-Ml[A-Za-z]+$') { continue }
        $info = Get-Command $name -Module MlOps -ErrorAction SilentlyContinue
        if (-not $info) { "$name is not a command of the MlOps module"; continue }
        foreach ($parameter in $command.CommandElements | Where-Object { $_ -is [System.Management.Automation.Language.CommandParameterAst] }) {
            $known = $info.Parameters.Values | Where-Object { $_.Name -eq $parameter.ParameterName -or $_.Aliases -contains $parameter.ParameterName }
            if (-not $known) { "$name has no parameter -$($parameter.ParameterName)" }
        }
        $binding = [System.Management.Automation.Language.StaticParameterBinder]::BindCommand($command, $true)
        foreach ($failure in $binding.BindingExceptions.GetEnumerator()) { "${name}: $($failure.Value.BindingException.Message)" }
    }
}
