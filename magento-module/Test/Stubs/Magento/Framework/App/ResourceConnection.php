<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Framework\App;

/**
 * Test stand-in for Magento's resource connection (the methods this module uses; tests mock it).
 */
class ResourceConnection
{
    public const DEFAULT_CONNECTION = 'default';

    /**
     * Return the connection of a resource, e.g. "sales".
     *
     * @param string $resourceName
     * @return \Magento\Framework\DB\Adapter\AdapterInterface
     */
    public function getConnection($resourceName = self::DEFAULT_CONNECTION)
    {
        throw new \LogicException('Test stand-in: mock ResourceConnection.');
    }

    /**
     * Return a table's name with the installation's prefix.
     *
     * @param string|string[] $modelEntity
     * @param string $connectionName
     * @return string
     */
    public function getTableName($modelEntity, $connectionName = self::DEFAULT_CONNECTION)
    {
        throw new \LogicException('Test stand-in: mock ResourceConnection.');
    }
}
