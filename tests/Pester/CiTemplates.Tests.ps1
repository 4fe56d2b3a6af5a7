# The CI pipelines New-MlProject writes: parsed as YAML, every pwsh step checked against the built module with the
# PowerShell AST, and the branch workflow of akerbp.mlops read from the parsed structure.
BeforeDiscovery {
    $systems = 'GitHub', 'AzureDevOps', 'Bitbucket'
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot 'CiPipeline.Helpers.ps1')
    Import-Module $ManifestPath -Force
    Import-YamlDotNet
    $branches = 'feature/better-features', 'master', 'deploy/hotfix', 'trainpred/retrain'

    function Get-Call([string] $Branch, [string] $Trigger) {
        # The MlOps calls a branch's runs make for a trigger, in order; IsChange marks the ones that change a registry or a service.
        foreach ($run in $runs[$Branch] | Where-Object Trigger -eq $Trigger) {
            foreach ($call in Get-MlCommandCall $run.Script) {
                $isChange = $call.Command -in 'Publish-MlModelArtifact', 'Remove-MlService', 'Invoke-MlTraining' -or
                    ($call.Command -like 'Deploy-*' -and -not $call.TestOnly)
                $call | Add-Member -NotePropertyMembers @{ IsChange = $isChange; Run = $run } -PassThru
            }
        }
    }

    function Get-Change([string] $Branch, [string] $Trigger) {
        @(Get-Call $Branch $Trigger | Where-Object IsChange | ForEach-Object { "$($_.Command) $($_.Environment)" } | Sort-Object -Unique)
    }
}

Describe 'The checks of the pipeline tests' {
    It 'find unknown commands, unknown or abbreviated parameters and arguments that do not bind' {
        Get-CommandProblem 'Deploy-MlPredictionService -Environment test -TestOnly' | Should -BeNullOrEmpty
        (Get-CommandProblem 'Deploy-MlPredictonService -Environment test') -join "`n" | Should -Match 'not a command of the MlOps module'
        (Get-CommandProblem 'Deploy-MlPredictionService -Enviroment test') -join "`n" | Should -Match 'no parameter -Enviroment'
        (Get-CommandProblem 'Deploy-MlPredictionService -Env test') -join "`n" | Should -Match 'no parameter -Env\b'
        (Get-CommandProblem 'Get-MlModelVersion a test -Latest -Version 3') -join "`n" | Should -Match 'Parameter set cannot be resolved'
        (Get-CommandProblem 'Get-MlSetting | Deploy-MlPredictionService -Environment test -TestOnly') | Should -BeNullOrEmpty
    }

    It 'evaluate conditions, and refuse what they do not know' {
        $context = @{ 'github.ref' = 'refs/heads/deploy/x'; 'github.event_name' = 'push'; 'variables.Build.SourceBranch' = 'refs/heads/master' }
        Invoke-CiExpression "github.event_name == 'push' && (github.ref == 'refs/heads/master' || startsWith(github.ref, 'refs/heads/deploy/'))" $context | Should -BeTrue
        Invoke-CiExpression "!startsWith(github.ref, 'refs/heads/deploy/')" $context | Should -BeFalse
        Invoke-CiExpression "and(succeeded(), ne(variables['Build.SourceBranch'], 'refs/heads/master'))" $context | Should -BeFalse
        { Invoke-CiExpression "github.sha == 'abc'" $context } | Should -Throw '*Unknown value*'
        { Invoke-CiExpression "hashFiles('x')" $context } | Should -Throw '*Unknown function*'
    }
}

Describe 'The <_> pipeline of a new project' -ForEach $systems {
    BeforeAll {
        $ci = $_
        $project = New-MlProject (Join-Path $TestDrive $ci) -CiSystem $ci -NoTraining
        $text = Get-Content -Raw (Join-Path $project.ProjectRoot $project.PipelineFile)
        $pipeline = ConvertFrom-Yaml $text
        $runs = @{}
        foreach ($branch in $branches) { $runs[$branch] = @(Get-CiRun $ci $pipeline $branch) }
        $scripts = @($runs.Values | ForEach-Object { $_ } | ForEach-Object Script | Sort-Object -Unique)
    }

    It 'is YAML whose pwsh steps parse and call only MlOps commands and parameters the built module has' {
        $pipeline | Should -BeOfType ([Collections.Specialized.OrderedDictionary])
        $scripts.Count | Should -BeGreaterOrEqual 4
        $used = @{}
        foreach ($script in $scripts) {
            Get-CommandProblem $script | Should -BeNullOrEmpty -Because "every MlOps call of the $ci pipeline must bind:`n$script"
            $calls = @(Get-MlCommandCall $script)
            foreach ($call in $calls) { $used[$call.Command] = $true }
            if ($calls) { $script | Should -Match '(?m)^\s*Import-Module MlOps\s*$' -Because 'each step imports the module it calls' }
        }
        $used.Keys | Sort-Object | Should -Be @('Deploy-MlPredictionService', 'Deploy-MlTrainingService', 'Get-MlModelVersion', 'Get-MlSetting',
            'Publish-MlModelArtifact', 'Test-MlSetting')
    }

    It 'installs the module version that wrote it' {
        $version = (Get-Module MlOps).Version.ToString(3)
        $installs = @($scripts | Where-Object { $_ -match 'Install-PSResource' })
        $installs | Should -Not -BeNullOrEmpty
        foreach ($install in $installs) { $install | Should -Match "Install-PSResource -Name MlOps -Version ['`"]$([regex]::Escape($version))['`"]" }
    }

    It 'installs MlOps only from the feed it registers by name, and the requirements files the settings name' {
        $installs = @($scripts | Where-Object { $_ -match 'Install-PSResource' })
        foreach ($install in $installs) {
            $install | Should -Match 'Register-PSResourceRepository -Name MlOpsFeed -Uri \$env:MLOPS_FEED'
            $install | Should -Match 'Install-PSResource -Name MlOps .*-Repository MlOpsFeed'
            $install | Should -Not -Match 'TrustRepository'
        }
        $all = $scripts -join "`n"
        $all | Should -Match '\(Get-MlSetting\)\.Models\.RequirementsFile'
        $all | Should -Match 'akerbp\[-_\.\]\+mlops'
        $text | Should -Not -Match 'find models|Get-ChildItem models'
    }

    It 'only tests a feature branch: settings, model tests and service tests, and changes nothing' {
        $push = @(Get-Call 'feature/better-features' 'push')
        $push.Command | Should -Contain 'Test-MlSetting'
        $tests = @($push | Where-Object Command -like 'Deploy-*')
        $tests.Command | Sort-Object -Unique | Should -Be @('Deploy-MlPredictionService', 'Deploy-MlTrainingService')
        $tests.TestOnly | Should -Not -Contain $false
        $tests.Environment | Sort-Object -Unique | Should -Be 'test'
        Get-Change 'feature/better-features' 'push' | Should -BeNullOrEmpty
        Get-Change 'feature/better-features' 'manual' | Should -BeNullOrEmpty
    }

    It 'on <_> tests, then deploys the prediction services to test; prod only by the manual step' -ForEach 'master', 'deploy/hotfix' {
        $branch = $_
        Get-Change $branch 'push' | Should -Be @('Deploy-MlPredictionService test')
        $push = @(Get-Call $branch 'push')
        $firstTest = [array]::IndexOf($push, ($push | Where-Object TestOnly | Select-Object -First 1))
        $firstChange = [array]::IndexOf($push, ($push | Where-Object IsChange | Select-Object -First 1))
        $firstTest | Should -BeGreaterOrEqual 0
        $firstTest | Should -BeLessThan $firstChange
        (Get-Call $branch 'push' | Where-Object Command -eq 'Test-MlSetting') | Should -Not -BeNullOrEmpty

        Get-Change $branch 'manual' | Should -Be @('Deploy-MlPredictionService prod', 'Publish-MlModelArtifact prod')
        $promotion = Get-Call $branch 'manual' | Where-Object Command -eq 'Publish-MlModelArtifact'
        $source = @($promotion.Ast.Parent.PipelineElements | Where-Object { $_ -is [System.Management.Automation.Language.CommandAst] } |
            ForEach-Object { $_.GetCommandName() })
        $source | Should -Contain 'Get-MlModelVersion'
        $from = Get-Call $branch 'manual' | Where-Object Command -eq 'Get-MlModelVersion'
        $from.Environment | Should -Be 'test'
        $from.Parameters.Keys | Should -Contain 'Serving'
        @($runs[$branch] | Where-Object Trigger -eq 'manual' | Where-Object { $_.Script -match 'Publish-MlModelArtifact' }).Environment |
            Should -BeIn 'prod', 'production'
    }

    It 'on trainpred/* also deploys the training services: to test on push, to prod in the manual step' {
        Get-Change 'trainpred/retrain' 'push' | Should -Be @('Deploy-MlPredictionService test', 'Deploy-MlTrainingService test')
        Get-Change 'trainpred/retrain' 'manual' | Should -Be @('Deploy-MlPredictionService prod', 'Deploy-MlTrainingService prod', 'Publish-MlModelArtifact prod')
    }

    It 'confirms prod changes explicitly, as a CI step cannot answer a prompt' {
        $prod = @($branches | ForEach-Object { Get-Call $_ 'manual' } | Where-Object { $_.IsChange -and $_.Environment -eq 'prod' })
        $prod | Should -Not -BeNullOrEmpty
        foreach ($call in $prod) { $call.Parameters['Confirm'] | Should -Be '$false' -Because "$($call.Command) changes prod" }
    }

    It 'keeps the log plain text: NO_COLOR for every pwsh step' {
        if ($ci -eq 'Bitbucket') {
            $calls = @([regex]::Matches($text, '(?m)^.*\bpwsh -NoProfile.*$'))
            $calls | Should -Not -BeNullOrEmpty
            foreach ($call in $calls) { $call.Value | Should -Match '\bNO_COLOR="1" ' }
        }
        else { $text | Should -Match "(?m)^  NO_COLOR: '1'\r?$" }
    }

    It 'takes the CDF secret only from the CI system''s secret variables' {
        $mentions = [regex]::Matches($text, '(?m)^[\s-]*(?:export\s+)?COGNITE_CLIENT_SECRET\s*[:=]\s*(?<value>.*?)\s*$')
        foreach ($mention in $mentions) {
            $mention.Groups['value'].Value | Should -BeIn @('${{ secrets.COGNITE_CLIENT_SECRET }}', '$(COGNITE_CLIENT_SECRET)')
        }
        $scripts | Should -Not -Match 'COGNITE_CLIENT_SECRET|ClientSecret|-Secret\b'
        if ($ci -ne 'Bitbucket') {
            # GitHub and Azure DevOps hand a secret to a step only when it is mapped; Bitbucket hands every secured variable.
            $readers = 'Deploy-MlPredictionService', 'Deploy-MlTrainingService', 'Get-MlModelVersion', 'Publish-MlModelArtifact'
            foreach ($run in $runs.Values | ForEach-Object { $_ } | Where-Object { (Get-MlCommandCall $_.Script).Command | Where-Object { $_ -in $readers } }) {
                $run.Env['COGNITE_CLIENT_SECRET'] | Should -Not -BeNullOrEmpty -Because "$($run.Step) reads a registry"
            }
        }
    }
}
