/**
 * What MSK's IAM access control checks for each Kafka request, in two documented steps:
 *
 * 1. Apache Kafka's own table "Operations and Resources on Protocols" (Kafka documentation,
 *    Security → Authorization and ACLs) gives, for each protocol API, the ACL operations a broker
 *    checks and on which resource type.
 * 2. Amazon MSK's "Semantics of IAM authorization policy actions and resources" (MSK developer
 *    guide, IAM access control) gives the `kafka-cluster:*` action "equivalent to" each ACL, and
 *    the actions each one requires beside it. Every connection first needs `kafka-cluster:Connect`.
 *
 * Only the APIs a client (never a broker) sends are listed; an API the recorder sees that is not
 * here has no simulation, and the proof fails until it is added from those two tables.
 */

export type AclResource = 'Cluster' | 'Topic' | 'Group' | 'TransactionalId';
export type AclOperation =
  | 'Read'
  | 'Write'
  | 'Create'
  | 'Delete'
  | 'Alter'
  | 'Describe'
  | 'DescribeConfigs'
  | 'AlterConfigs'
  | 'IdempotentWrite';

export interface AclCheck {
  readonly operation: AclOperation;
  readonly resource: AclResource;
}

/** The request as recorded, reduced to what the Kafka table depends on. */
export interface KafkaRequestFacts {
  readonly api: string;
  readonly idempotent?: boolean;
  readonly transactional?: boolean;
  readonly allowAutoTopicCreation?: boolean;
  readonly clusterConfigs?: boolean;
  readonly topicConfigs?: boolean;
  readonly coordinatorOfTransaction?: boolean;
}

const check = (operation: AclOperation, resource: AclResource): AclCheck => ({ operation, resource });

/** Apache Kafka, "Operations and Resources on Protocols": the checks a broker makes per API. */
export function aclChecks(request: KafkaRequestFacts): AclCheck[] | undefined {
  switch (request.api) {
    case 'API_VERSIONS':
    case 'SASL_HANDSHAKE':
    case 'SASL_AUTHENTICATE':
      return []; // part of the handshake: no authorization
    case 'PRODUCE':
      return [
        check('Write', 'Topic'),
        ...(request.transactional ? [check('Write', 'TransactionalId')] : []),
        ...(request.idempotent ? [check('IdempotentWrite', 'Cluster')] : []),
      ];
    case 'FETCH':
      return [check('Read', 'Topic')];
    case 'LIST_OFFSETS':
      return [check('Describe', 'Topic')];
    case 'METADATA':
      // Auto-creation of a missing topic needs Create (the topic-level check when no cluster-level one).
      return [
        check('Describe', 'Topic'),
        ...(request.allowAutoTopicCreation ? [check('Create', 'Topic')] : []),
      ];
    case 'OFFSET_COMMIT':
      return [check('Read', 'Group'), check('Read', 'Topic')];
    case 'OFFSET_FETCH':
      return [check('Describe', 'Group'), check('Describe', 'Topic')];
    case 'FIND_COORDINATOR':
      return [
        request.coordinatorOfTransaction ? check('Describe', 'TransactionalId') : check('Describe', 'Group'),
      ];
    case 'JOIN_GROUP':
    case 'HEARTBEAT':
    case 'LEAVE_GROUP':
    case 'SYNC_GROUP':
      return [check('Read', 'Group')];
    case 'DESCRIBE_GROUPS':
      return [check('Describe', 'Group')];
    case 'LIST_GROUPS':
      return [check('Describe', 'Cluster')];
    case 'DELETE_GROUPS':
      return [check('Delete', 'Group')];
    case 'CREATE_TOPICS':
      return [check('Create', 'Topic')];
    case 'DELETE_TOPICS':
      return [check('Delete', 'Topic')];
    case 'DELETE_RECORDS':
      return [check('Delete', 'Topic')];
    case 'CREATE_PARTITIONS':
      return [check('Alter', 'Topic')];
    case 'DESCRIBE_CONFIGS':
      return [
        ...(request.topicConfigs ? [check('DescribeConfigs', 'Topic')] : []),
        ...(request.clusterConfigs ? [check('DescribeConfigs', 'Cluster')] : []),
      ];
    case 'ALTER_CONFIGS':
      return [
        ...(request.topicConfigs ? [check('AlterConfigs', 'Topic')] : []),
        ...(request.clusterConfigs ? [check('AlterConfigs', 'Cluster')] : []),
      ];
    case 'INIT_PRODUCER_ID':
      return [
        request.transactional ? check('Write', 'TransactionalId') : check('IdempotentWrite', 'Cluster'),
      ];
    case 'ADD_PARTITIONS_TO_TXN':
      return [check('Write', 'TransactionalId'), check('Write', 'Topic')];
    case 'ADD_OFFSETS_TO_TXN':
      return [check('Write', 'TransactionalId'), check('Read', 'Group')];
    case 'TXN_OFFSET_COMMIT':
      return [check('Write', 'TransactionalId'), check('Read', 'Group'), check('Read', 'Topic')];
    case 'END_TXN':
      return [check('Write', 'TransactionalId')];
    default:
      return undefined;
  }
}

/** Amazon MSK: the IAM action "equivalent to" each Kafka ACL. */
const IAM_ACTION_OF_ACL: Record<string, string> = {
  'Describe Cluster': 'kafka-cluster:DescribeCluster',
  'Alter Cluster': 'kafka-cluster:AlterCluster',
  'DescribeConfigs Cluster': 'kafka-cluster:DescribeClusterDynamicConfiguration',
  'AlterConfigs Cluster': 'kafka-cluster:AlterClusterDynamicConfiguration',
  'IdempotentWrite Cluster': 'kafka-cluster:WriteDataIdempotently',
  'Create Topic': 'kafka-cluster:CreateTopic',
  'Describe Topic': 'kafka-cluster:DescribeTopic',
  'Alter Topic': 'kafka-cluster:AlterTopic',
  'Delete Topic': 'kafka-cluster:DeleteTopic',
  'DescribeConfigs Topic': 'kafka-cluster:DescribeTopicDynamicConfiguration',
  'AlterConfigs Topic': 'kafka-cluster:AlterTopicDynamicConfiguration',
  'Read Topic': 'kafka-cluster:ReadData',
  'Write Topic': 'kafka-cluster:WriteData',
  'Describe Group': 'kafka-cluster:DescribeGroup',
  'Read Group': 'kafka-cluster:AlterGroup',
  'Delete Group': 'kafka-cluster:DeleteGroup',
  'Describe TransactionalId': 'kafka-cluster:DescribeTransactionalId',
  'Write TransactionalId': 'kafka-cluster:AlterTransactionalId',
};

export function iamActionOf(acl: AclCheck): string {
  const action = IAM_ACTION_OF_ACL[`${acl.operation} ${acl.resource}`];
  if (!action) throw new Error(`MSK documents no IAM action for Kafka's ${acl.operation} on ${acl.resource}`);
  return action;
}

/**
 * Amazon MSK's "Required actions" column: an action that the same request also needs on the same
 * resource (or Connect on the cluster). Requirements on another resource type (ReadData needs
 * AlterGroup on a group) are met by the request that names that group, which is checked itself.
 */
export const REQUIRED_ON_SAME_RESOURCE: Readonly<Record<string, readonly string[]>> = {
  'kafka-cluster:AlterCluster': ['kafka-cluster:DescribeCluster'],
  'kafka-cluster:AlterClusterDynamicConfiguration': ['kafka-cluster:DescribeClusterDynamicConfiguration'],
  'kafka-cluster:AlterTopic': ['kafka-cluster:DescribeTopic'],
  'kafka-cluster:DeleteTopic': ['kafka-cluster:DescribeTopic'],
  'kafka-cluster:AlterTopicDynamicConfiguration': ['kafka-cluster:DescribeTopicDynamicConfiguration'],
  'kafka-cluster:ReadData': ['kafka-cluster:DescribeTopic'],
  'kafka-cluster:WriteData': ['kafka-cluster:DescribeTopic'],
  'kafka-cluster:AlterGroup': ['kafka-cluster:DescribeGroup'],
  'kafka-cluster:DeleteGroup': ['kafka-cluster:DescribeGroup'],
  'kafka-cluster:AlterTransactionalId': ['kafka-cluster:DescribeTransactionalId'],
};

/** The ARN of a topic, group or transactional id of a cluster, built from the cluster's ARN (MSK). */
export function kafkaResourceArn(clusterArn: string, type: AclResource, name: string): string {
  if (type === 'Cluster') return clusterArn;
  const kind = { Topic: 'topic', Group: 'group', TransactionalId: 'transactional-id' }[type];
  return `${clusterArn.replace(':cluster/', `:${kind}/`)}/${name}`;
}
