#!/usr/bin/env python3
"""Seeds an AWS emulator (moto server) with a world to scan at scale: several VPCs (subnets,
route tables and their associations, internet and NAT gateways, security groups, endpoints),
ECS clusters with services and task definitions (several revisions per family), load balancers
with target groups, listeners and rules, IAM roles with AWS managed, customer managed and inline
policies, RDS instances (an Aurora cluster among them) and CloudFormation stacks: everything
`infra-lint check --live` reads (src/live/aws/*.rs).

    seed-live.py ENDPOINT_URL [--scale N] [--region R] [--set kind=count ...]

--scale multiplies every count (1: about 300 resources); --set overrides one count (the kinds
are the keys of COUNTS below). Prints, as JSON on stdout, what it made that decides how many
calls a scan needs: the tests and benches/live.rs compute the pagination minimum from it.
Uses boto3 (moto[server] brings it); writes only to the endpoint it is given.
"""
import argparse
import json
import sys

import boto3

# Per unit of --scale.
COUNTS = {
    "vpcs": 4,
    "subnets_per_vpc": 3,
    "security_groups_per_vpc": 3,
    "clusters": 3,
    "services_per_cluster": 8,
    "families": 12,
    "revisions_per_family": 3,
    "load_balancers": 6,
    "listeners_per_lb": 2,
    "rules_per_listener": 2,
    "roles": 40,
    "customer_policies": 10,
    "db_instances": 10,
    "db_clusters": 1,
    "stacks": 10,
}

ASSUME_ECS = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                   "Action": "sts:AssumeRole"}],
})


def policy(action):
    return json.dumps({"Version": "2012-10-17",
                       "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]})


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("endpoint")
    ap.add_argument("--scale", type=int, default=1)
    ap.add_argument("--region", default="eu-west-1")
    ap.add_argument("--set", action="append", default=[], metavar="KIND=COUNT")
    a = ap.parse_args()
    n = {k: v * a.scale if not k.endswith("_per_vpc") and not k.endswith("_per_lb")
         and not k.endswith("_per_listener") and not k.endswith("_per_family")
         and not k.endswith("_per_cluster") else v
         for k, v in COUNTS.items()}
    for kv in a.set:
        k, v = kv.split("=", 1)
        if k not in n:
            sys.exit(f"seed-live.py: unknown kind {k!r} (one of {', '.join(n)})")
        n[k] = int(v)

    def client(service):
        return boto3.client(service, endpoint_url=a.endpoint, region_name=a.region,
                            aws_access_key_id="test", aws_secret_access_key="test")

    ec2, ecs, elb = client("ec2"), client("ecs"), client("elbv2")
    iam, rds, cfn = client("iam"), client("rds"), client("cloudformation")
    azs = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]][:3]

    # EC2: per VPC, public subnets routed to an internet gateway, the rest to a NAT gateway.
    vpcs = []
    for v in range(n["vpcs"]):
        vpc = ec2.create_vpc(CidrBlock=f"10.{v}.0.0/16")["Vpc"]["VpcId"]
        ec2.create_tags(Resources=[vpc], Tags=[{"Key": "Name", "Value": f"seed-{v}"}])
        subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.{v}.{s}.0/24",
                                     AvailabilityZone=azs[s % len(azs)])["Subnet"]["SubnetId"]
                   for s in range(n["subnets_per_vpc"])]
        igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
        public = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
        ec2.create_route(RouteTableId=public, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
        ec2.associate_route_table(RouteTableId=public, SubnetId=subnets[0])
        eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
        nat = ec2.create_nat_gateway(SubnetId=subnets[0], AllocationId=eip)["NatGateway"]["NatGatewayId"]
        private = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
        ec2.create_route(RouteTableId=private, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
        for s in subnets[1:]:
            ec2.associate_route_table(RouteTableId=private, SubnetId=s)
        groups = []
        for g in range(n["security_groups_per_vpc"]):
            sg = ec2.create_security_group(VpcId=vpc, GroupName=f"seed-{v}-{g}",
                                           Description="seeded")["GroupId"]
            port = [22, 443, 5432][g % 3]
            ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[{
                "IpProtocol": "tcp", "FromPort": port, "ToPort": port,
                "IpRanges": [{"CidrIp": "0.0.0.0/0" if g % 3 != 2 else f"10.{v}.0.0/16"}]}])
            groups.append(sg)
        ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=f"com.amazonaws.{a.region}.s3",
                                RouteTableIds=[private])
        vpcs.append({"id": vpc, "subnets": subnets, "groups": groups})

    # ELBv2: load balancers over the first VPC's subnets, a target group per listener.
    lbs, tgs, listeners = 0, [], 0
    for l in range(n["load_balancers"]):
        vpc = vpcs[l % len(vpcs)]
        lb = elb.create_load_balancer(Name=f"seed-{l}", Subnets=vpc["subnets"][:2],
                                      SecurityGroups=vpc["groups"][:1])["LoadBalancers"][0]
        lbs += 1
        for k in range(n["listeners_per_lb"]):
            tg = elb.create_target_group(Name=f"seed-{l}-{k}", Protocol="HTTP", Port=8080,
                                         VpcId=vpc["id"], TargetType="ip",
                                         HealthCheckPath="/health")["TargetGroups"][0]
            tgs.append((tg["TargetGroupArn"], vpc))
            forward = [{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}]
            listener = elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"],
                                           Protocol="HTTP", Port=80 + k,
                                           DefaultActions=forward)["Listeners"][0]
            listeners += 1
            for r in range(n["rules_per_listener"]):
                elb.create_rule(ListenerArn=listener["ListenerArn"], Priority=10 + r,
                                Conditions=[{"Field": "path-pattern",
                                             "Values": [f"/api/{r}/*"]}],
                                Actions=forward)

    # IAM: execution and task roles; customer managed policies attached round-robin.
    customer = [iam.create_policy(PolicyName=f"seed-{p}",
                                  PolicyDocument=policy(["s3:GetObject", "ecr:BatchGetImage"]))
                ["Policy"]["Arn"] for p in range(n["customer_policies"])]
    roles = []
    for r in range(n["roles"]):
        name = f"seed-role-{r}"
        arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=ASSUME_ECS)["Role"]["Arn"]
        if r % 2 == 0:
            iam.attach_role_policy(RoleName=name, PolicyArn="arn:aws:iam::aws:policy/"
                                   "service-role/AmazonECSTaskExecutionRolePolicy")
        if customer and r % 3 == 0:
            iam.attach_role_policy(RoleName=name, PolicyArn=customer[r % len(customer)])
        if r % 4 == 1:
            iam.put_role_policy(RoleName=name, PolicyName="logs",
                                PolicyDocument=policy("logs:PutLogEvents"))
        roles.append(arn)

    # ECS: families with several revisions; services run one of them, not always the newest.
    revisions = {}
    for fam in range(n["families"]):
        family = f"seed-{fam}"
        for rev in range(n["revisions_per_family"]):
            role = roles[(fam + rev) % len(roles)] if roles else None
            extra = {"executionRoleArn": role} if role else {}
            td = ecs.register_task_definition(
                family=family, networkMode="awsvpc", requiresCompatibilities=["FARGATE"],
                cpu="256", memory="512", **extra,
                containerDefinitions=[{
                    "name": "app", "image": f"nginx:1.{rev}", "essential": True,
                    "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
                    "environment": [{"name": "DB_PASSWORD" if fam % 4 == 0 else "MODE",
                                     "value": "hunter2-not-a-secret"}],
                }])["taskDefinition"]
            revisions.setdefault(family, []).append(td["taskDefinitionArn"])
    running = set()
    services_per_cluster = []
    svc = 0
    for c in range(n["clusters"]):
        cluster = ecs.create_cluster(clusterName=f"seed-{c}")["cluster"]["clusterArn"]
        count = 0
        for s in range(n["services_per_cluster"]):
            if not revisions:
                break
            family = sorted(revisions)[svc % len(revisions)]
            td = revisions[family][svc % len(revisions[family])]
            running.add(td)
            kwargs = {}
            if tgs:
                tg, vpc = tgs[svc % len(tgs)]
                kwargs["loadBalancers"] = [{"targetGroupArn": tg, "containerName": "app",
                                            "containerPort": 8080}]
            else:
                vpc = vpcs[svc % len(vpcs)] if vpcs else None
            if vpc:
                kwargs["networkConfiguration"] = {"awsvpcConfiguration": {
                    "subnets": vpc["subnets"][1:], "securityGroups": vpc["groups"][1:2],
                    "assignPublicIp": "DISABLED"}}
            ecs.create_service(cluster=cluster, serviceName=f"svc-{s}", taskDefinition=td,
                               desiredCount=1, launchType="FARGATE", **kwargs)
            svc += 1
            count += 1
        services_per_cluster.append(count)
    newest = {revs[-1] for revs in revisions.values()}

    # RDS: instances (some public, some unencrypted), and Aurora clusters with one member.
    for d in range(n["db_instances"]):
        rds.create_db_instance(DBInstanceIdentifier=f"seed-db-{d}", Engine="postgres",
                               DBInstanceClass="db.t3.micro", MasterUsername="admin",
                               MasterUserPassword="seed-db-password", AllocatedStorage=20,
                               PubliclyAccessible=d % 3 == 0, StorageEncrypted=d % 2 == 0,
                               BackupRetentionPeriod=7 if d % 4 else 0)
    for d in range(n["db_clusters"]):
        rds.create_db_cluster(DBClusterIdentifier=f"seed-aurora-{d}", Engine="aurora-postgresql",
                              MasterUsername="admin", MasterUserPassword="seed-db-password")
        rds.create_db_instance(DBInstanceIdentifier=f"seed-aurora-{d}-1",
                               DBClusterIdentifier=f"seed-aurora-{d}",
                               Engine="aurora-postgresql", DBInstanceClass="db.r6g.large")

    # CloudFormation: stacks holding a security group each (as a console deploy leaves them).
    template = json.dumps({"Resources": {"Group": {"Type": "AWS::EC2::SecurityGroup",
                                                   "Properties": {"GroupDescription": "g"}}}})
    for s in range(n["stacks"]):
        cfn.create_stack(StackName=f"seed-stack-{s}", TemplateBody=template)

    json.dump({
        "scale": a.scale,
        "counts": n,
        "vpcs": len(vpcs),
        "clusters": len(services_per_cluster),
        "services_per_cluster": services_per_cluster,
        "task_definition_revisions": sum(len(r) for r in revisions.values()),
        "task_definitions_read": len(running | newest),
        "load_balancers": lbs,
        "target_groups": len(tgs),
        "listeners": listeners,
        "roles": len(roles),
        "customer_policies": len(customer),
        "db_instances": n["db_instances"] + n["db_clusters"],
        "db_clusters": n["db_clusters"],
        "stacks": n["stacks"],
    }, sys.stdout)
    print()


if __name__ == "__main__":
    main()
