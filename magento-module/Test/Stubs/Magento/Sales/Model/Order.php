<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Sales\Model;

use Magento\Framework\DataObject;
use Magento\Sales\Api\Data\OrderInterface;

/**
 * Test stand-in for Magento's order model (the constants and methods this module uses).
 */
class Order extends DataObject implements OrderInterface
{
    public const STATE_NEW = 'new';
    public const STATE_PROCESSING = 'processing';
    public const STATE_COMPLETE = 'complete';
    public const STATE_CLOSED = 'closed';
    public const STATE_CANCELED = 'canceled';
    public const STATE_HOLDED = 'holded';

    /**
     * Return the entity_id field.
     *
     * @return int|null
     */
    public function getEntityId()
    {
        return $this->getData('entity_id');
    }

    /**
     * Return the order's lines (the items field).
     *
     * @return \Magento\Sales\Api\Data\OrderItemInterface[]
     */
    public function getItems()
    {
        return $this->getData('items');
    }

    /**
     * Return the total_refunded field.
     *
     * @return float|null
     */
    public function getTotalRefunded()
    {
        return $this->getData('total_refunded');
    }

    /**
     * Return the increment_id field.
     *
     * @return string|null
     */
    public function getIncrementId()
    {
        return $this->getData('increment_id');
    }

    /**
     * Return the state field.
     *
     * @return string|null
     */
    public function getState()
    {
        return $this->getData('state');
    }

    /**
     * Return the is_virtual field.
     *
     * @return int|null
     */
    public function getIsVirtual()
    {
        return $this->getData('is_virtual');
    }

    /**
     * Return the shipping address.
     *
     * @return \Magento\Sales\Model\Order\Address|null
     */
    public function getShippingAddress()
    {
        return $this->getData('shipping_address');
    }

    /**
     * Tell whether the order has a shipment.
     *
     * @return bool
     */
    public function hasShipments()
    {
        return (bool) $this->getData('shipment_count');
    }

    /**
     * Append a comment to the status history (kept in "comments" for the tests).
     *
     * @param string $comment
     * @param bool|string $status
     * @param bool $isVisibleOnFront
     * @return $this
     */
    public function addCommentToStatusHistory($comment, $status = false, $isVisibleOnFront = false)
    {
        $comments = $this->getData('comments') ?? [];
        $comments[] = $comment;
        return $this->setData('comments', $comments);
    }
}
